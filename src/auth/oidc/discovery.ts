/**
 * An issuer's OpenID configuration, read through openid-client (which checks that the document
 * names the issuer it was fetched for), and its signing keys, fetched once per isolate. jose's
 * remote key set refetches the JWKS when a token names a `kid` it has not seen (key rotation),
 * at most once per cooldown, so a flood of made-up kids cannot hammer the issuer.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import * as oidc from 'openid-client'
import { z } from 'zod'
import type { Config } from '../../env'
import { ApiError } from '../../lib/errors'
import { allowsPlainHttp } from './plain-http'

/** What we rely on in the document; openid-client validated the rest. */
const Required = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
})

export interface Issuer {
  /** The configured client at this issuer: logins, refresh and revocation go through it. */
  client: oidc.Configuration
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
const TIMEOUT_SECONDS = 5
const issuers = new Map<string, { issuer: Promise<Issuer>; until: number }>()

export function issuerOf(config: Config, url: string): Promise<Issuer> {
  const hit = issuers.get(url)
  if (hit && hit.until > Date.now()) return hit.issuer
  const issuer = load(config, url)
  issuers.set(url, { issuer, until: Date.now() + DISCOVERY_TTL_MS })
  // A failed discovery is not cached: the next request tries again.
  issuer.catch(() => issuers.delete(url))
  return issuer
}

// openid-client holds server metadata in a client configuration; an issuer whose tokens we
// only verify (no OIDC_CLIENT_ID) gets a placeholder id that no request ever carries.
const VERIFY_ONLY_CLIENT = 'codetether-verify-only'

async function load(config: Config, url: string): Promise<Issuer> {
  let client: oidc.Configuration
  let doc: z.infer<typeof Required>
  try {
    client = await oidc.discovery(
      new URL(url),
      config.OIDC_CLIENT_ID || VERIFY_ONLY_CLIENT,
      config.OIDC_CLIENT_SECRET,
      undefined,
      {
        timeout: TIMEOUT_SECONDS,
        execute: allowsPlainHttp(url) ? [oidc.allowInsecureRequests] : [],
      },
    )
    doc = Required.parse(client.serverMetadata())
  } catch (err) {
    throw new ApiError(
      503,
      'idp_unavailable',
      `The identity provider's discovery document could not be used (${(err as Error).message})`,
    )
  }
  client.timeout = 10
  const published = (doc.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) =>
    ASYMMETRIC.has(a),
  )
  return {
    client,
    algorithms: published.length ? published : ['RS256'],
    keys: createRemoteJWKSet(new URL(doc.jwks_uri), {
      timeoutDuration: TIMEOUT_SECONDS * 1000,
      cooldownDuration: 5_000,
      cacheMaxAge: 10 * 60_000,
    }),
  }
}
