/**
 * OIDC against a fake identity provider at the wire: JWTs via JWKS (with an attack table and
 * key rotation), the password grant, refresh, sessions and logout, and the browser's
 * authorization-code flow with PKCE and a session cookie.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { allowsPlainHttp } from '../src/auth/oidc/plain-http'
import { type FakeIdp, startFakeIdp } from './fakes/oidc-server'
import { stack, stackVars, startTestWorker } from './helpers'
import { until } from './worker-helpers'

let idpA: FakeIdp
let idpB: FakeIdp
let server: Awaited<ReturnType<typeof startTestWorker>>
let tenantA: string
let tenantB: string

const call = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set('Content-Type', 'application/json')
  const body = init.json === undefined ? init.body : JSON.stringify(init.json)
  return fetch(`${server.url}${path}`, { ...init, headers, body, redirect: 'manual' })
}

/** A tenant bound to an issuer, created by the operator (a static token) through the API. */
async function tenantFor(idp: FakeIdp, slug: string): Promise<string> {
  const res = await call('/v1/tenants', {
    method: 'POST',
    token: stack().devToken,
    json: { slug, display_name: slug, oidc_issuer: idp.issuer },
  })
  assert.equal(res.status, 200, await res.clone().text())
  return ((await res.json()) as { id: string }).id
}

before(async () => {
  const suffix = Math.random().toString(36).slice(2, 8)
  idpA = await startFakeIdp({
    realm: `a-${suffix}`,
    users: [
      {
        username: 'alice',
        password: 'pw-alice',
        sub: 'alice-1',
        email: 'alice@a.test',
        roles: ['admin'],
      },
      { username: 'vic', password: 'pw-vic', sub: 'vic-1', roles: ['viewer'] },
    ],
  })
  idpB = await startFakeIdp({
    realm: `b-${suffix}`,
    users: [{ username: 'bob', password: 'pw-bob', sub: 'bob-1', roles: ['member'] }],
  })
  server = await startTestWorker('auth-oidc', {
    ...stackVars(),
    AUTH_MODE: 'production',
    OIDC_ISSUER: `${idpA.issuer},${idpB.issuer}`,
    OIDC_CLIENT_ID: idpA.clientId,
    OIDC_CLIENT_SECRET: idpA.clientSecret,
  })
  tenantA = await tenantFor(idpA, `oidc-a-${suffix}`)
  tenantB = await tenantFor(idpB, `oidc-b-${suffix}`)
})

after(async () => {
  await server?.worker.stop()
  await idpA?.close()
  await idpB?.close()
})

describe('bearer JWTs', () => {
  test('a valid token is the person, in the tenant its issuer is bound to', async () => {
    const res = await call('/v1/auth/userinfo', { token: await idpA.accessToken('alice') })
    assert.equal(res.status, 200)
    const me = (await res.json()) as Record<string, unknown>
    assert.equal(me.sub, 'alice-1')
    assert.equal(me.tenant_id, tenantA)
    assert.deepEqual(me.roles, ['admin'])
    assert.equal(me.auth, 'oidc')
  })

  test('no credentials is a 401 that says how to authenticate', async () => {
    const res = await call('/v1/agent/tasks')
    assert.equal(res.status, 401)
    assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer')
  })

  test('every forged, stale or foreign token is rejected', async () => {
    const now = Math.floor(Date.now() / 1000)
    const good = {
      iss: idpA.issuer,
      aud: idpA.clientId,
      sub: 'alice-1',
      realm_access: { roles: ['admin'] },
    }
    const valid = await idpA.sign({ ...good, iat: now, exp: now + 300 })
    const [h, p, s] = valid.split('.') as [string, string, string]
    const tampered = JSON.parse(Buffer.from(p, 'base64url').toString())
    tampered.sub = 'vic-1'
    const unpublished = await idpA.unpublishedKey()
    const attacks: Record<string, string> = {
      'alg none': await idpA.sign({ ...good, exp: now + 300 }, { alg: 'none' }),
      'HS256 signed with the public key': await idpA.sign(
        { ...good, exp: now + 300 },
        { alg: 'HS256', key: new TextEncoder().encode(await idpA.publicPem()) },
      ),
      expired: await idpA.sign({ ...good, iat: now - 600, exp: now - 120 }),
      'not yet valid': await idpA.sign({ ...good, nbf: now + 600, exp: now + 900 }),
      'wrong iss': await idpA.sign({
        ...good,
        iss: 'http://127.0.0.1:1/realms/evil',
        exp: now + 300,
      }),
      'wrong aud': await idpA.sign({ ...good, aud: 'someone-else', exp: now + 300 }),
      'unknown kid': await idpA.sign(
        { ...good, exp: now + 300 },
        { kid: unpublished.kid, key: unpublished.privateKey },
      ),
      'tampered payload': `${h}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${s}`,
      "B's key claiming A's issuer": await idpB.sign({ ...good, exp: now + 300 }),
      garbage: 'a.b.c',
    }
    assert.equal((await call('/v1/auth/userinfo', { token: valid })).status, 200)
    for (const [name, token] of Object.entries(attacks)) {
      const res = await call('/v1/auth/userinfo', { token })
      assert.equal(res.status, 401, `${name}: ${res.status}`)
      const body = (await res.json()) as { error: { code: string } }
      assert.equal(body.error.code, 'unauthorized', name)
    }
  })

  test('a rotated signing key is fetched when a token names it', async () => {
    const fetches = idpA.jwksFetches
    await idpA.rotate()
    const token = await idpA.accessToken('alice')
    // jose refetches an unknown kid at most once per cooldown (5 s).
    await until(
      'the new key is accepted',
      async () => (await call('/v1/auth/userinfo', { token })).ok,
      15_000,
    )
    assert.ok(idpA.jwksFetches > fetches)
  })

  test("tenant A's token never reaches tenant B's data", async () => {
    const bob = await idpB.accessToken('bob')
    const created = await call('/v1/agent/tasks', {
      method: 'POST',
      token: bob,
      json: { prompt: 'B only' },
    })
    assert.equal(created.status, 200)
    const task = (await created.json()) as { id: string }
    const alice = await idpA.accessToken('alice')
    assert.equal((await call(`/v1/agent/tasks/${task.id}`, { token: alice })).status, 404)
    const list = (await (await call('/v1/agent/tasks', { token: alice })).json()) as {
      id: string
    }[]
    assert.ok(!list.some((t) => t.id === task.id))
    assert.equal((await call(`/v1/agent/tasks/${task.id}`, { token: bob })).status, 200)
    void tenantB
  })

  test('a viewer is refused a write, told which permission is missing, and it is audited', async () => {
    const vic = await idpA.accessToken('vic')
    const res = await call('/v1/agent/tasks', { method: 'POST', token: vic, json: { prompt: 'x' } })
    assert.equal(res.status, 403)
    const body = (await res.json()) as {
      error: { message: string; details: { permission: string } }
    }
    assert.equal(body.error.details.permission, 'tasks:write')
    assert.equal((await call('/v1/agent/tasks', { token: vic })).status, 200)
    const alice = await idpA.accessToken('alice')
    await until('the denial is in the audit log', async () => {
      const log = (await (
        await call('/v1/admin/audit?action=permission_denied', { token: alice })
      ).json()) as {
        actor: string
      }[]
      return log.some((e) => e.actor.startsWith('vic-1'))
    })
  })
})

describe('password login, refresh, sessions', () => {
  test('login gives tokens and a session; refresh and logout work; failures are audited', async () => {
    const bad = await call('/v1/auth/login', {
      method: 'POST',
      json: { username: 'alice', password: 'nope' },
    })
    assert.equal(bad.status, 401)
    const res = await call('/v1/auth/login', {
      method: 'POST',
      json: { username: 'alice', password: 'pw-alice', device_name: 'laptop' },
    })
    assert.equal(res.status, 200)
    const login = (await res.json()) as {
      session: { session_id: string; user_id: string; device_name: string }
      access_token: string
      refresh_token: string
    }
    assert.equal(login.session.user_id, 'alice-1')
    assert.equal(login.session.device_name, 'laptop')
    // The original's shape beside ours.
    const user = (login as unknown as { user: { id: string; username: string; roles: string[] } })
      .user
    assert.deepEqual([user.id, user.username], ['alice-1', 'alice'])
    assert.ok(Array.isArray(user.roles))
    // The original's second example is `curl -d '{…}'` without -H: JSON labelled as a form.
    const labels: Record<string, string>[] = [
      {},
      { 'Content-Type': 'application/x-www-form-urlencoded' },
    ]
    for (const headers of labels) {
      const unlabelled = await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers,
        body: new TextEncoder().encode(JSON.stringify({ username: 'alice', password: 'pw-alice' })),
      })
      assert.equal(unlabelled.status, 200, await unlabelled.clone().text())
    }
    assert.equal((await call('/v1/auth/userinfo', { token: login.access_token })).status, 200)

    const refreshed = await call('/v1/auth/refresh', {
      method: 'POST',
      json: { refresh_token: login.refresh_token },
    })
    assert.equal(refreshed.status, 200)
    const fresh = (await refreshed.json()) as { access_token: string }
    assert.equal((await call('/v1/auth/userinfo', { token: fresh.access_token })).status, 200)
    const junk = await call('/v1/auth/refresh', { method: 'POST', json: { refresh_token: 'junk' } })
    assert.equal(junk.status, 401)

    const sid = login.session.session_id
    const session = await call(`/v1/auth/session?session_id=${sid}`, { token: fresh.access_token })
    assert.equal(session.status, 200)
    const vic = await idpA.accessToken('vic')
    assert.equal((await call(`/v1/auth/session?session_id=${sid}`, { token: vic })).status, 404)
    const out = await call(`/v1/auth/logout?session_id=${sid}`, {
      method: 'POST',
      token: fresh.access_token,
    })
    assert.equal(out.status, 200)
    assert.equal(
      (await call(`/v1/auth/session?session_id=${sid}`, { token: fresh.access_token })).status,
      404,
    )
    await until('the refresh token is revoked at the provider', async () =>
      idpA.requests.some(
        (r) => r.path.endsWith('/revoke') && r.body?.token === login.refresh_token,
      ),
    )
    await until('login, failed login and logout are audited', async () => {
      const log = (await (await call('/v1/admin/audit', { token: fresh.access_token })).json()) as {
        action: string
      }[]
      const actions = new Set(log.map((e) => e.action))
      return actions.has('login') && actions.has('login_failed') && actions.has('logout')
    })
  })

  test('password guessing for one user is cut off with 429 and Retry-After', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const res = await call('/v1/auth/login', {
        method: 'POST',
        json: { username: 'vic', password: `guess-${i}` },
      })
      statuses.push(res.status)
      if (res.status === 429) assert.ok(Number(res.headers.get('Retry-After')) >= 1)
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401))
    assert.equal(statuses.at(-1), 429)
  })

  test('bad login bodies are 400s naming the field', async () => {
    const res = await call('/v1/auth/login', { method: 'POST', json: { username: 'alice' } })
    assert.equal(res.status, 400)
    assert.match(await res.text(), /password/)
  })
})

describe('browser login (authorization code + PKCE)', () => {
  const cookieOf = (res: Response, name: string) =>
    res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))

  async function browserLogin(returnTo: string) {
    const start = await call(`/v1/auth/oidc/login?return_to=${encodeURIComponent(returnTo)}`)
    assert.equal(start.status, 302)
    const authorize = new URL(start.headers.get('Location') ?? '')
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
    assert.ok(authorize.searchParams.get('code_challenge'))
    const stateCookie = cookieOf(start, 'ct_oidc_state')?.split(';')[0] ?? ''
    assert.match(cookieOf(start, 'ct_oidc_state') ?? '', /HttpOnly/i)
    authorize.searchParams.set('login_hint', 'alice')
    const atIdp = await fetch(authorize, { redirect: 'manual' })
    const callback = new URL(atIdp.headers.get('Location') ?? '')
    return { callback: `${callback.pathname}${callback.search}`, stateCookie }
  }

  test('a login ends in a session cookie that authenticates, and only this browser can finish it', async () => {
    const { callback, stateCookie } = await browserLogin('/v1/monitor/tasks')
    assert.equal((await call(callback)).status, 400, 'no state cookie: another browser')
    const other = await browserLogin('/v1/monitor/tasks')
    const crossed = await call(callback, { headers: { Cookie: other.stateCookie } })
    assert.equal(crossed.status, 400, "another login's state cookie")

    const ok = await call(callback, { headers: { Cookie: stateCookie } })
    assert.equal(ok.status, 302, await ok.clone().text())
    const replay = await call(callback, { headers: { Cookie: stateCookie } })
    assert.equal(replay.status, 400, 'a callback works once')
    assert.equal(ok.headers.get('Location'), '/v1/monitor/tasks')
    const session = cookieOf(ok, 'ct_session') ?? ''
    for (const flag of [/HttpOnly/i, /Secure/i, /SameSite=Lax/i]) assert.match(session, flag)
    const cookie = session.split(';')[0] ?? ''
    const me = await call('/v1/auth/userinfo', { headers: { Cookie: cookie } })
    assert.equal(me.status, 200)
    const user = (await me.json()) as { sub: string; auth: string; tenant_id: string }
    assert.deepEqual([user.sub, user.auth, user.tenant_id], ['alice-1', 'session', tenantA])

    const foreign = await call('/v1/agent/tasks', {
      method: 'POST',
      headers: { Cookie: cookie, Origin: 'https://evil.example' },
      json: { prompt: 'csrf' },
    })
    assert.equal(foreign.status, 403)
    // A cross-site HTML form can post JSON labelled as a form, which the REST API reads as JSON
    // (for curl): the cookie does not come with it.
    const form = await call('/v1/agent/tasks', {
      method: 'POST',
      headers: {
        Cookie: cookie,
        Origin: 'https://evil.example',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: JSON.stringify({ prompt: 'csrf' }),
    })
    assert.equal(form.status, 403)
    const unknown = await call('/v1/agent/tasks', {
      method: 'POST',
      headers: { Cookie: cookie },
      json: { prompt: 'csrf' },
    })
    assert.equal(unknown.status, 403, 'a cookie write that shows no origin at all')
    const out = await call('/v1/auth/logout', {
      method: 'POST',
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' },
    })
    assert.equal(out.status, 200)
    assert.equal((await call('/v1/auth/userinfo', { headers: { Cookie: cookie } })).status, 401)
  })

  test('return_to cannot send the browser to another site', async () => {
    const { callback, stateCookie } = await browserLogin('//evil.example/steal')
    const ok = await call(callback, { headers: { Cookie: stateCookie } })
    assert.equal(ok.headers.get('Location'), '/v1/monitor/')
  })
})

test('openid-client may speak plain HTTP to a loopback issuer only, never to a deployed one', () => {
  assert.equal(allowsPlainHttp(idpA.issuer), true)
  for (const issuer of [
    'https://kc.example/realms/acme',
    'https://127.0.0.1/realms/acme',
    'http://kc.example/realms/acme',
    'http://10.0.0.5:8080/realms/acme',
    'http://127.0.0.1.evil.example/realms/acme',
  ]) {
    assert.equal(allowsPlainHttp(issuer), false, issuer)
  }
})
