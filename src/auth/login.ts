/**
 * Signing in through the identity provider: the password grant (upstream's
 * `POST /v1/auth/login`) and the authorization-code flow with PKCE for browsers. Both end
 * the same way: the access token verified, the person recorded, a session opened, audited.
 */

import type { Redis } from '@upstash/redis/cloudflare'
import { jwtVerify } from 'jose'
import { audit } from '../audit/log'
import type { Database } from '../db/client'
import type { Config } from '../env'
import { randomSecret, sha256 } from '../lib/digest'
import { ApiError, badRequest, unauthorized } from '../lib/errors'
import { b64url } from '../lib/seal'
import { touchMember } from './members'
import { issuerOf } from './oidc/discovery'
import { loginIssuer, requestTokens, type TokenSet } from './oidc/grants'
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
  opts: { browser: boolean; device?: Device; nonce?: string },
) {
  const payload = await verifyAccessToken(ctx.config, tokens.access_token)
  if (opts.nonce !== undefined) await checkNonce(ctx.config, tokens, opts.nonce)
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

/** The ID token must come from our issuer, for our client, carrying the nonce we sent. */
async function checkNonce(config: Config, tokens: TokenSet, nonce: string) {
  if (!tokens.id_token) throw unauthorized('The identity provider sent no ID token')
  const issuer = await issuerOf(loginIssuer(config))
  const { payload } = await jwtVerify(tokens.id_token, issuer.keys, {
    issuer: issuer.doc.issuer,
    audience: config.OIDC_CLIENT_ID,
    algorithms: issuer.algorithms,
    clockTolerance: 30,
  }).catch(() => {
    throw unauthorized('The ID token does not verify')
  })
  if (payload.nonce !== nonce) throw unauthorized('The ID token does not carry our nonce')
}

export async function passwordLogin(
  ctx: LoginContext,
  creds: { username: string; password: string; device?: Device },
) {
  let tokens: TokenSet
  try {
    tokens = await requestTokens(
      ctx.config,
      {
        grant_type: 'password',
        username: creds.username,
        password: creds.password,
        scope: ctx.config.OIDC_SCOPES,
      },
      'Invalid username or password',
    )
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
  const issuer = await issuerOf(loginIssuer(ctx.config))
  const state = randomSecret(24)
  const verifier = randomSecret(32)
  const nonce = randomSecret(16)
  await ctx.redis.set(stateKey(state), JSON.stringify({ verifier, nonce, returnTo, redirectUri }), {
    ex: STATE_TTL_SECONDS,
  })
  const url = new URL(issuer.doc.authorization_endpoint)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: ctx.config.OIDC_CLIENT_ID ?? '',
    redirect_uri: redirectUri,
    scope: ctx.config.OIDC_SCOPES,
    state,
    nonce,
    code_challenge: b64url(new Uint8Array(await sha256(verifier))),
    code_challenge_method: 'S256',
  }).toString()
  return { url: url.toString(), state }
}

/** Finishes a browser login; the state must be one this browser started, used once. */
export async function finishCodeLogin(
  ctx: LoginContext,
  q: { code: string; state: string; browserState: string | undefined },
) {
  if (!q.browserState || q.browserState !== q.state) {
    throw badRequest('This login was not started in this browser: start again')
  }
  const saved = await ctx.redis.getdel<{
    verifier: string
    nonce: string
    returnTo: string
    redirectUri: string
  }>(stateKey(q.state))
  if (!saved) throw badRequest('This login has expired or was already used: start again')
  const tokens = await requestTokens(
    ctx.config,
    {
      grant_type: 'authorization_code',
      code: q.code,
      redirect_uri: saved.redirectUri,
      code_verifier: saved.verifier,
    },
    'The identity provider refused the authorization code',
  )
  const done = await finish(ctx, tokens, { browser: true, nonce: saved.nonce })
  return { ...done, returnTo: saved.returnTo }
}
