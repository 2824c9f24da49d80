/**
 * Our side of the identity provider's endpoints, through openid-client as a confidential
 * client: the authorization URL with PKCE, the authorization-code, password and refresh
 * grants, and revocation. Its errors become ours here, in one place.
 */
import * as oidc from 'openid-client'
import { z } from 'zod'
import type { Config } from '../../env'
import { ApiError, unauthorized } from '../../lib/errors'
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

const loginClient = async (config: Config) => (await issuerOf(config, loginIssuer(config))).client

/** openid-client's codes for an answer that arrived but failed a check (state, nonce, claims). */
const UNVERIFIED = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_INVALID_RESPONSE',
])

/**
 * One token request. A refusal by the provider (bad password, spent code, revoked refresh
 * token) is the caller's 401, and so is an answer that fails openid-client's checks (state,
 * nonce, ID token claims); an unreachable or broken provider is a 502.
 */
async function tokens(refused: string, grant: () => Promise<unknown>): Promise<TokenSet> {
  let body: unknown
  try {
    body = await grant()
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) {
      if (err.error === 'invalid_client') {
        throw new ApiError(502, 'idp_client_rejected', 'The identity provider refused our client')
      }
      if (err.status === 400 || err.status === 401)
        throw new ApiError(401, 'invalid_grant', refused)
      throw new ApiError(502, 'idp_error', `The identity provider answered HTTP ${err.status}`)
    }
    if (err instanceof oidc.ClientError && UNVERIFIED.has(err.code ?? '')) {
      throw unauthorized(`The identity provider's answer does not verify: ${err.message}`)
    }
    throw new ApiError(502, 'idp_unavailable', `The identity provider did not answer (${err})`)
  }
  const parsed = TokenSet.safeParse(body)
  if (!parsed.success) throw new ApiError(502, 'idp_error', 'The identity provider sent no tokens')
  return parsed.data
}

export interface CodeChecks {
  verifier: string
  state: string
  nonce: string
}

/** Where the browser goes to sign in, with a fresh PKCE verifier, state and nonce to keep. */
export async function authorizationUrl(config: Config, redirectUri: string) {
  const client = await loginClient(config)
  const checks: CodeChecks = {
    verifier: oidc.randomPKCECodeVerifier(),
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
  }
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    scope: config.OIDC_SCOPES,
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
    code_challenge_method: 'S256',
  })
  return { url, checks }
}

/** The callback URL as the provider sent the browser to it (its path is the redirect URI). */
export async function codeGrant(config: Config, callback: URL, checks: CodeChecks) {
  const client = await loginClient(config)
  return tokens('The identity provider refused the authorization code', () =>
    oidc.authorizationCodeGrant(client, callback, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    }),
  )
}

export async function passwordGrant(config: Config, username: string, password: string) {
  const client = await loginClient(config)
  return tokens('Invalid username or password', () =>
    oidc.genericGrantRequest(client, 'password', {
      username,
      password,
      scope: config.OIDC_SCOPES,
    }),
  )
}

export async function refreshGrant(config: Config, refreshToken: string) {
  const client = await loginClient(config)
  return tokens('The refresh token is invalid, expired or revoked', () =>
    oidc.refreshTokenGrant(client, refreshToken),
  )
}

/** Best effort: a logout still ends our session if the provider is unreachable. */
export async function revokeRefreshToken(config: Config, refreshToken: string): Promise<boolean> {
  try {
    const client = await loginClient(config)
    if (!client.serverMetadata().revocation_endpoint) return false
    await oidc.tokenRevocation(client, refreshToken, { token_type_hint: 'refresh_token' })
    return true
  } catch {
    return false
  }
}
