import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { beginCodeLogin, finishCodeLogin, type LoginContext, passwordLogin } from '../../auth/login'
import { refreshGrant, revokeRefreshToken } from '../../auth/oidc/grants'
import { oidcConfigured, principalOfToken, verifyAccessToken } from '../../auth/oidc/verify'
import { safeReturnPath } from '../../auth/return-to'
import {
  clearSessionCookie,
  setSessionCookie,
  setStateCookie,
  takeStateCookie,
} from '../../auth/session-cookie'
import { describeSession, endSession, sessionOf } from '../../auth/sessions'
import {
  type AppContext,
  type AppEnv,
  configOfContext,
  dbOf,
  principalOf,
  redisOfContext,
} from '../../context'
import { enforceLoginLimit } from '../../domain/limits/rate-limit'
import { badRequest, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import {
  AuthStatus,
  AuthUser,
  LoginResult,
  LogoutResult,
  RefreshResult,
  SessionInfo,
} from './schemas/auth'
import { auditRequest } from './scope'

const loginContext = (c: AppContext): LoginContext => ({
  db: dbOf(c),
  config: configOfContext(c),
  redis: redisOfContext(c),
  requestId: c.get('requestId'),
  waitUntil: (p) => c.executionCtx.waitUntil(p),
})

const expiresAt = (seconds: number | undefined) =>
  new Date(Date.now() + (seconds ?? 300) * 1000).toISOString()

/** /v1/auth routes that work without credentials: how to log in, and logging in. */
export const authPublicApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

authPublicApi.openapi(route('get', '/status', undefined, AuthStatus), (c) => {
  const config = configOfContext(c)
  return c.json(
    {
      mode: config.AUTH_MODE,
      oidc: oidcConfigured(config)
        ? { enabled: true as const, issuers: config.OIDC_ISSUER, login_url: '/v1/auth/oidc/login' }
        : { enabled: false as const },
      static_tokens: Boolean(config.A2A_AUTH_TOKENS),
      api_keys: true,
    },
    200,
  )
})

const Device = {
  device_id: z.string().max(200).optional(),
  device_name: z.string().max(200).optional(),
  device_type: z.string().max(100).optional(),
}
const Login = z
  .object({
    username: z.string().min(1).max(320),
    password: z.string().min(1).max(1000),
    ...Device,
  })
  .openapi('Login')

authPublicApi.openapi(route('post', '/login', body(Login), LoginResult), async (c) => {
  const { username, password, ...device } = c.req.valid('json')
  await enforceLoginLimit(configOfContext(c), username)
  const done = await passwordLogin(loginContext(c), { username, password, device })
  const { session } = done
  return c.json(
    {
      success: true as const,
      session,
      // The original's shape: its clients check roles for 'a2a-admin', its name for an admin.
      user: {
        id: session.user_id,
        email: session.email,
        username,
        name: session.name,
        roles: session.roles.includes('admin') ? [...session.roles, 'a2a-admin'] : session.roles,
      },
      access_token: done.tokens.access_token,
      refresh_token: done.tokens.refresh_token ?? null,
      token_type: 'Bearer' as const,
      expires_at: expiresAt(done.tokens.expires_in),
    },
    200,
  )
})

const Refresh = z.object({ refresh_token: z.string().min(1).max(10_000) }).openapi('Refresh')

authPublicApi.openapi(route('post', '/refresh', body(Refresh), RefreshResult), async (c) => {
  const config = configOfContext(c)
  const tokens = await refreshGrant(config, c.req.valid('json').refresh_token)
  // The new access token must verify and map to a tenant, as a login's does.
  await principalOfToken(dbOf(c), config, await verifyAccessToken(config, tokens.access_token))
  return c.json(
    {
      success: true as const,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? null,
      token_type: 'Bearer' as const,
      expires_at: expiresAt(tokens.expires_in),
    },
    200,
  )
})

const redirectUri = (c: AppContext) =>
  `${configOfContext(c).PUBLIC_URL ?? new URL(c.req.url).origin}/v1/auth/callback`

const redirect = <P extends string, Q extends z.ZodObject>(path: P, query: Q) =>
  createRoute({
    method: 'get',
    path,
    request: { query },
    responses: { 302: { description: 'Redirect' } },
  })

authPublicApi.openapi(
  redirect('/oidc/login', z.object({ return_to: z.string().max(2000).optional() })),
  async (c) => {
    const { return_to } = c.req.valid('query')
    const { url, state } = await beginCodeLogin(
      loginContext(c),
      redirectUri(c),
      safeReturnPath(return_to),
    )
    setStateCookie(c, state)
    return c.redirect(url, 302)
  },
)

authPublicApi.openapi(
  redirect(
    '/callback',
    z.object({
      code: z.string().max(4000).optional(),
      state: z.string().max(200).optional(),
      error: z.string().max(200).optional(),
      error_description: z.string().max(1000).optional(),
    }),
  ),
  async (c) => {
    const q = c.req.valid('query')
    const browserState = takeStateCookie(c)
    if (q.error) throw badRequest(`The identity provider refused the login: ${q.error}`)
    if (!q.code || !q.state) throw badRequest('The callback needs code and state')
    const done = await finishCodeLogin(loginContext(c), {
      state: q.state,
      params: new URL(c.req.url).searchParams,
      browserState,
    })
    if (done.secret) setSessionCookie(c, done.secret, new Date(done.session.expires_at))
    // Checked again: the saved value outlives a deploy that tightens the rule.
    return c.redirect(safeReturnPath(done.returnTo), 302)
  },
)

/** /v1/auth routes of a signed-in caller. */
export const authApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const SessionQuery = z.object({ session_id: z.uuid().optional() })

authApi.openapi(route('get', '/session', { query: SessionQuery }, SessionInfo), async (c) => {
  const p = principalOf(c)
  const id = c.req.valid('query').session_id ?? p.sessionId
  if (!id) return c.json({ success: true as const, session: null, user: userOf(c) }, 200)
  const session = describeSession(await sessionOf(dbOf(c), p, id))
  return c.json({ success: true as const, session, user: userOf(c) }, 200)
})

authApi.openapi(route('post', '/logout', { query: SessionQuery }, LogoutResult), async (c) => {
  const p = principalOf(c)
  const config = configOfContext(c)
  const id = c.req.valid('query').session_id ?? p.sessionId
  if (id) {
    const refresh = await endSession(dbOf(c), config, p, id)
    if (refresh) c.executionCtx.waitUntil(revokeRefreshToken(config, refresh))
    auditRequest(c, { action: 'logout', target: id })
  }
  if (p.kind === 'session') clearSessionCookie(c)
  return c.json({ success: true as const, ended: id ?? null }, 200)
})

const userOf = (c: AppContext) => {
  const p = principalOf(c)
  return {
    sub: p.userId ?? p.subject,
    name: p.name,
    email: p.email ?? null,
    tenant_id: p.tenantId,
    roles: p.roles,
    scopes: p.scopes,
    auth: p.kind,
  }
}

authApi.openapi(route('get', '/userinfo', undefined, AuthUser), (c) => c.json(userOf(c), 200))
