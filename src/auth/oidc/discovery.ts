/**
 * An issuer's OpenID configuration and signing keys, fetched once per isolate. jose's remote
 * key set refetches the JWKS when a token names a `kid` it has not seen (key rotation), at
 * most once per cooldown, so a flood of made-up kids cannot hammer the issuer.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import { z } from 'zod'
import { ApiError } from '../../lib/errors'

const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.url().optional(),
  revocation_endpoint: z.url().optional(),
  end_session_endpoint: z.url().optional(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
})
export type Discovery = z.infer<typeof Discovery>

export interface Issuer {
  doc: Discovery
  keys: JWTVerifyGetKey
  /** The asymmetric algorithms the issuer publishes: `none` and HMAC never verify. */
  algorithms: string[]
}

const ASYMMETRIC = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
])
const DISCOVERY_TTL_MS = 60 * 60_000
const issuers = new Map<string, { issuer: Promise<Issuer>; until: number }>()

export function issuerOf(url: string): Promise<Issuer> {
  const hit = issuers.get(url)
  if (hit && hit.until > Date.now()) return hit.issuer
  const issuer = load(url)
  issuers.set(url, { issuer, until: Date.now() + DISCOVERY_TTL_MS })
  // A failed discovery is not cached: the next request tries again.
  issuer.catch(() => issuers.delete(url))
  return issuer
}

async function load(url: string): Promise<Issuer> {
  let doc: Discovery
  try {
    const res = await fetch(`${url}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    doc = Discovery.parse(await res.json())
  } catch (err) {
    throw new ApiError(
      503,
      'idp_unavailable',
      `The identity provider's discovery document could not be read (${(err as Error).message})`,
    )
  }
  if (doc.issuer !== url) {
    throw new ApiError(
      503,
      'idp_misconfigured',
      `The discovery document names issuer ${doc.issuer}`,
    )
  }
  const published = (doc.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) =>
    ASYMMETRIC.has(a),
  )
  return {
    doc,
    algorithms: published.length ? published : ['RS256'],
    keys: createRemoteJWKSet(new URL(doc.jwks_uri), {
      timeoutDuration: 5000,
      cooldownDuration: 5_000,
      cacheMaxAge: 10 * 60_000,
    }),
  }
}
