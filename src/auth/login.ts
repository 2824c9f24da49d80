/**
 * Signing in through the identity provider: the password grant (upstream's
 * `POST /v1/auth/login`) and the authorization-code flow with PKCE for browsers. Both end
 * the same way: the access token verified, the person recorded, a session opened, audited.
 */

import type { Redis } from '@upstash/redis/cloudflare'
import { audit } from '../domain/audit/log'
import type { Config } from '../env'
import { ApiError, badRequest } from '../lib/errors'
import type { Database } from '../storage/postgres/client'
import { touchMember } from './members'
import {
  authorizationUrl,
  type CodeChecks,
  codeGrant,
  loginIssuer,
  passwordGrant,
  type TokenSet,
} from './oidc/grants'
import { tenantOf } from './oidc/tenant-binding'
import { principalOfToken, verifyAccessToken } from './oidc/verify'
import { type Device, openSession } from './sessions'

export interface LoginContext {
  db: Database
  config: Config
  redis: Redis
  requestId?: string
  waitUntil(p: Promise<unknown>): void
}

async function finish(
  ctx: LoginContext,
  tokens: TokenSet,
  opts: { browser: boolean; device?: Device },
) {
  const payload = await verifyAccessToken(ctx.config, tokens.access_token)
  const principal = await principalOfToken(ctx.db, ctx.config, payload)
  touchMember(ctx.db, principal, ctx.waitUntil)
  const opened = await openSession(ctx.db, ctx.config, principal, { ...opts, tokens })
  audit(ctx, principal.tenantId, {
    action: 'login',
    actor: principal,
    target: opened.session.session_id,
    detail: { method: opts.browser ? 'authorization_code' : 'password', roles: principal.roles },
    requestId: ctx.requestId,
  })
  return { principal, tokens, ...opened }
}

export async function passwordLogin(
  ctx: LoginContext,
  creds: { username: string; password: string; device?: Device },
) {
  let tokens: TokenSet
  try {
    tokens = await passwordGrant(ctx.config, creds.username, creds.password)
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) await auditFailure(ctx, creds.username)
    throw err
  }
  return finish(ctx, tokens, { browser: false, device: creds.device })
}

/** A failed login is the tenant's business when the issuer alone names the tenant. */
async function auditFailure(ctx: LoginContext, username: string) {
  if (ctx.config.OIDC_TENANT_CLAIM) return
  const iss = loginIssuer(ctx.config)
  const tenantId = await tenantOf(ctx.db, ctx.config, { iss }).catch(() => undefined)
  if (!tenantId) return
  audit(ctx, tenantId, {
    action: 'login_failed',
    actor: `user:${username.slice(0, 200)}`,
    detail: { method: 'password' },
    requestId: ctx.requestId,
  })
}

const STATE_TTL_SECONDS = 600
const stateKey = (state: string) => `oidc:state:${state}`

/** Starts a browser login: the provider's authorize URL, with the PKCE and nonce we keep. */
export async function beginCodeLogin(ctx: LoginContext, redirectUri: string, returnTo: string) {
  const { url, checks } = await authorizationUrl(ctx.config, redirectUri)
  const saved: SavedLogin = { ...checks, returnTo, redirectUri }
  await ctx.redis.set(stateKey(checks.state), JSON.stringify(saved), { ex: STATE_TTL_SECONDS })
  return { url: url.toString(), state: checks.state }
}

interface SavedLogin extends CodeChecks {
  returnTo: string
  redirectUri: string
}

/**
 * Finishes a browser login; the state must be one this browser started, used once.
 * `params`: the callback's query as the provider sent it (code, state, and `iss` if it adds one).
 */
export async function finishCodeLogin(
  ctx: LoginContext,
  q: { state: string; params: URLSearchParams; browserState: string | undefined },
) {
  if (!q.browserState || q.browserState !== q.state) {
    throw badRequest('This login was not started in this browser: start again')
  }
  const saved = await ctx.redis.getdel<SavedLogin>(stateKey(q.state))
  if (!saved) throw badRequest('This login has expired or was already used: start again')
  // openid-client takes the redirect URI from the callback URL: rebuild it on the one we sent.
  const callback = new URL(saved.redirectUri)
  callback.search = q.params.toString()
  // The state is the key it was saved under, so it is the one this login began with.
  const tokens = await codeGrant(ctx.config, callback, { ...saved, state: q.state })
  const done = await finish(ctx, tokens, { browser: true })
  return { ...done, returnTo: saved.returnTo }
}
