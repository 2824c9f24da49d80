import type { MiddlewareHandler } from 'hono'
import { type AppContext, type AppEnv, configOfContext, dbOf } from '../context'
import { enforceRateLimits } from '../domain/limits/rate-limit'
import type { Config } from '../env'
import { ApiError, forbidden, unauthorized } from '../lib/errors'
import { requirePermission } from './authorize'
import { authenticateKey, looksLikeKey } from './keys'
import { touchMember } from './members'
import { looksLikeJwt, oidcConfigured, principalOfToken, verifyAccessToken } from './oidc/verify'
import { permissionFor } from './permissions'
import type { Principal } from './principal'
import { sessionCookieOf } from './session-cookie'
import { authenticateSession } from './sessions'
import { matchStaticToken, parseStaticTokens } from './static-tokens'

/**
 * Resolves the caller once per request and stores it as `principal`, then checks the
 * route's permission and the rate limits. A presented credential must be valid (a bad one
 * is never waved through, not even in dev mode); with none, dev mode admits the dev tenant;
 * otherwise the request is refused.
 */
export function requirePrincipal(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get('principal')) return next() // mounted twice on one path (e.g. /mcp and /mcp/*)
    const principal = await resolvePrincipal(c)
    c.set('principal', principal)
    requirePermission(c, principal, permissionFor(c.req.method, c.req.path, principal.kind))
    await enforceRateLimits(configOfContext(c), principal, (p) => c.executionCtx.waitUntil(p))
    await next()
  }
}

async function resolvePrincipal(c: AppContext): Promise<Principal> {
  const config = configOfContext(c)
  const token = bearerToken(c.req.header('Authorization')) ?? rawToken(c, config)
  if (token !== undefined) return fromBearer(c, config, token)

  const cookie = sessionCookieOf(c)
  if (cookie) {
    const principal = await authenticateSession(dbOf(c), cookie)
    if (!principal) throw unauthorized('Your session has ended: sign in again')
    checkSameOrigin(c)
    return principal
  }
  if (config.AUTH_MODE === 'dev') {
    return {
      kind: 'dev',
      tenantId: defaultTenant(config.DEFAULT_TENANT_ID),
      subject: 'dev',
      name: 'dev',
      roles: ['admin'],
      scopes: ['*'],
    }
  }
  if (config.A2A_AUTH_TOKENS || oidcConfigured(config)) {
    throw unauthorized('Missing credentials: send Authorization: Bearer <token>')
  }
  throw new ApiError(
    503,
    'auth_not_configured',
    'No authentication is configured: set OIDC_ISSUER, or A2A_AUTH_TOKENS (name:token,...), or AUTH_MODE=dev for local development',
  )
}

async function fromBearer(c: AppContext, config: Config, token: string): Promise<Principal> {
  if (looksLikeKey(token)) {
    const principal = await authenticateKey(dbOf(c), token)
    if (!principal) throw unauthorized('Invalid API key: unknown, revoked or expired')
    return principal
  }
  if (oidcConfigured(config) && looksLikeJwt(token)) {
    const db = dbOf(c)
    const principal = await principalOfToken(db, config, await verifyAccessToken(config, token))
    touchMember(db, principal, (p) => c.executionCtx.waitUntil(p))
    return principal
  }
  if (config.A2A_AUTH_TOKENS) {
    const match = await matchStaticToken(await parseStaticTokens(config.A2A_AUTH_TOKENS), token)
    if (match) {
      return {
        kind: 'static_token',
        tenantId: defaultTenant(config.DEFAULT_TENANT_ID),
        subject: `token:${match.name}`,
        name: match.name,
        roles: ['admin'],
        scopes: ['*'],
      }
    }
  }
  throw unauthorized('Invalid bearer token')
}

/**
 * A cookie rides along on any request the browser makes, so a state-changing request that
 * authenticates by cookie must show it comes from our own pages: browsers send Origin with
 * every such request (or, failing that, Sec-Fetch-Site), so one that shows neither is not
 * believed (SameSite=Lax covers most of this; this covers the rest).
 */
function checkSameOrigin(c: AppContext) {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return
  const origin = c.req.header('Origin')
  if (
    origin === undefined
      ? c.req.header('Sec-Fetch-Site') === 'same-origin'
      : origin === new URL(c.req.url).origin
  )
    return
  throw forbidden('Cross-origin requests cannot use the session cookie (send it from this site)')
}

function defaultTenant(id: string | undefined): string {
  if (!id) {
    throw new ApiError(
      503,
      'auth_not_configured',
      'DEFAULT_TENANT_ID must be set for static tokens and dev mode',
    )
  }
  return id
}

/** The credential in A2A_AUTH_HEADER (e.g. `X-API-Key: ct_…`), when another header is set. */
function rawToken(c: AppContext, config: Config): string | undefined {
  const name = config.A2A_AUTH_HEADER
  if (name.toLowerCase() === 'authorization') return undefined
  const value = c.req.header(name)?.trim()
  return value || undefined
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!m?.[1]) throw unauthorized('Authorization header must be "Bearer <token>"')
  return m[1]
}
