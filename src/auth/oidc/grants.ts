/** Calls to the identity provider's token and revocation endpoints, as a confidential client. */
import { z } from 'zod'
import type { Config } from '../../env'
import { ApiError } from '../../lib/errors'
import { issuerOf } from './discovery'

const TokenSet = z.object({
  access_token: z.string(),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
  refresh_expires_in: z.number().optional(),
  id_token: z.string().optional(),
  scope: z.string().optional(),
})
export type TokenSet = z.infer<typeof TokenSet>

/** The issuer logins go to: the first configured one. */
export function loginIssuer(config: Config): string {
  const issuer = config.OIDC_ISSUER?.[0]
  if (!issuer || !config.OIDC_CLIENT_ID) {
    throw new ApiError(
      503,
      'oidc_not_configured',
      'Login needs OIDC_ISSUER and OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET for a confidential client)',
    )
  }
  return issuer
}

function clientParams(config: Config): Record<string, string> {
  const params: Record<string, string> = { client_id: config.OIDC_CLIENT_ID ?? '' }
  if (config.OIDC_CLIENT_SECRET) params.client_secret = config.OIDC_CLIENT_SECRET
  return params
}

/**
 * One token request. A refusal by the provider (bad password, spent code, revoked refresh
 * token) is the caller's 401; anything else is the provider's fault, a 502.
 */
export async function requestTokens(
  config: Config,
  grant: Record<string, string>,
  refused: string,
): Promise<TokenSet> {
  const { doc } = await issuerOf(loginIssuer(config))
  let res: Response
  try {
    res = await fetch(doc.token_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...clientParams(config), ...grant }),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (err) {
    throw new ApiError(502, 'idp_unavailable', `The identity provider did not answer (${err})`)
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>
  if (res.status === 400 || res.status === 401) {
    if (body.error === 'invalid_client') {
      throw new ApiError(502, 'idp_client_rejected', 'The identity provider refused our client')
    }
    throw new ApiError(401, 'invalid_grant', refused)
  }
  const tokens = TokenSet.safeParse(body)
  if (!res.ok || !tokens.success) {
    throw new ApiError(502, 'idp_error', `The identity provider answered HTTP ${res.status}`)
  }
  return tokens.data
}

/** Best effort: a logout still ends our session if the provider is unreachable. */
export async function revokeRefreshToken(config: Config, refreshToken: string): Promise<boolean> {
  const { doc } = await issuerOf(loginIssuer(config))
  const url = doc.revocation_endpoint ?? doc.end_session_endpoint
  if (!url) return false
  const params: Record<string, string> = doc.revocation_endpoint
    ? { token: refreshToken, token_type_hint: 'refresh_token' }
    : { refresh_token: refreshToken }
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...clientParams(config), ...params }),
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined)
  return Boolean(res?.ok)
}
