import type { MiddlewareHandler } from 'hono'
import { type AppEnv, configOfContext } from '../context'
import { ApiError, unauthorized } from '../lib/errors'
import type { Principal } from './principal'
import { matchStaticToken, parseStaticTokens } from './static-tokens'

/**
 * Resolves the caller once per request and stores it as `principal`. Order: a presented
 * bearer token must be valid (a bad token is never waved through, not even in dev mode);
 * with no token, dev mode admits the dev tenant; otherwise the request is refused.
 */
export function requirePrincipal(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const config = configOfContext(c)
    const token = bearerToken(c.req.header('Authorization'))
    const staticSpec = config.A2A_AUTH_TOKENS
    let principal: Principal | undefined

    if (token !== undefined) {
      if (staticSpec) {
        const match = await matchStaticToken(await parseStaticTokens(staticSpec), token)
        if (match) principal = staticPrincipal(match.name, defaultTenant(config.DEFAULT_TENANT_ID))
      }
      if (!principal) throw unauthorized('Invalid bearer token')
    } else if (config.AUTH_MODE === 'dev') {
      const tenantId = defaultTenant(config.DEFAULT_TENANT_ID)
      principal = {
        kind: 'dev',
        tenantId,
        subject: 'dev',
        name: 'dev',
        roles: ['admin'],
        scopes: ['*'],
      }
    } else if (staticSpec) {
      throw unauthorized('Missing credentials: send Authorization: Bearer <token>')
    } else {
      throw new ApiError(
        503,
        'auth_not_configured',
        'No authentication is configured: set A2A_AUTH_TOKENS (name:token,...), or AUTH_MODE=dev for local development',
      )
    }
    c.set('principal', principal)
    await next()
  }
}

function staticPrincipal(name: string, tenantId: string): Principal {
  return {
    kind: 'static_token',
    tenantId,
    subject: `token:${name}`,
    name,
    roles: ['admin'],
    scopes: ['*'],
  }
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

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!m?.[1]) throw unauthorized('Authorization header must be "Bearer <token>"')
  return m[1]
}
