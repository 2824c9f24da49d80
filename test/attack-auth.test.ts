/**
 * Attacks on how a credential picks its tenant and how far a key reaches, against a fake
 * identity provider at the wire, real workerd and Postgres:
 * - with two trusted issuers and a tenant claim, the issuer a tenant is bound to wins over the
 *   claim: a token of the other issuer naming the bound tenant's slug is refused;
 * - a key's scopes are capped by what its creator may do: a key narrowed to `keys:write`
 *   cannot mint `*` or `tasks:write`, and a key it mints without scopes stays that narrow.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type FakeIdp, startFakeIdp } from './fakes/oidc-server'
import { stack, stackVars, startTestWorker } from './helpers'

const CLAIM = 'ct_tenant'
let idpA: FakeIdp
let idpB: FakeIdp
let server: Awaited<ReturnType<typeof startTestWorker>>
const slugs = { a: '', c: '' }
const ids = { a: '', c: '' }

const call = (path: string, token: string, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers)
  headers.set('Authorization', `Bearer ${token}`)
  if (init.json !== undefined) headers.set('Content-Type', 'application/json')
  const body = init.json === undefined ? init.body : JSON.stringify(init.json)
  return fetch(`${server.url}${path}`, { ...init, headers, body })
}
const json = async <T = Record<string, unknown>>(res: Response, status = 200): Promise<T> => {
  const text = await res.text()
  assert.equal(res.status, status, text)
  return JSON.parse(text) as T
}

/** A tenant made by the operator (the stack's static token), bound to `issuer` if given. */
async function tenant(slug: string, issuer?: string): Promise<string> {
  const res = await call('/v1/tenants', stack().devToken, {
    method: 'POST',
    json: { slug, display_name: slug, ...(issuer ? { oidc_issuer: issuer } : {}) },
  })
  return (await json<{ id: string }>(res)).id
}

/** The tenant a token lands in, or the refusal's status and code. */
async function landing(token: string) {
  const res = await call('/v1/auth/userinfo', token)
  const body = (await res.json()) as { tenant_id?: string; error?: { code: string } }
  return { status: res.status, tenant: body.tenant_id, code: body.error?.code }
}

before(async () => {
  const suffix = Math.random().toString(36).slice(2, 8)
  slugs.a = `bound-a-${suffix}`
  slugs.c = `open-c-${suffix}`
  idpA = await startFakeIdp({
    realm: `atk-a-${suffix}`,
    users: [{ username: 'alice', password: 'pw', sub: 'alice-1', roles: ['admin'] }],
  })
  idpB = await startFakeIdp({
    realm: `atk-b-${suffix}`,
    users: [
      { username: 'mallory', password: 'pw', sub: 'mallory-1', roles: ['admin'] },
      { username: 'bob', password: 'pw', sub: 'bob-1', roles: ['member'] },
    ],
  })
  server = await startTestWorker('attack-auth', {
    ...stackVars(),
    AUTH_MODE: 'production',
    OIDC_ISSUER: `${idpA.issuer},${idpB.issuer}`,
    // Both fake providers share the client id, so both issuers' tokens carry our audience.
    OIDC_CLIENT_ID: idpA.clientId,
    OIDC_CLIENT_SECRET: idpA.clientSecret,
    OIDC_TENANT_CLAIM: CLAIM,
  })
  assert.equal(idpA.clientId, idpB.clientId)
  ids.a = await tenant(slugs.a, idpA.issuer)
  ids.c = await tenant(slugs.c)
})

after(async () => {
  await server?.worker.stop()
  await idpA?.close()
  await idpB?.close()
})

describe('the issuer a tenant is bound to wins over the tenant claim', () => {
  test("another trusted issuer's token naming a bound tenant's slug is refused", async () => {
    const mallory = await idpB.accessToken('mallory', { [CLAIM]: slugs.a })
    assert.deepEqual(await landing(mallory), {
      status: 403,
      tenant: undefined,
      code: 'tenant_issuer_mismatch',
    })
    const write = await call('/v1/agent/tasks', mallory, { method: 'POST', json: { prompt: 'x' } })
    assert.equal(write.status, 403)
    // The bound issuer's own token naming its tenant still enters it.
    const alice = await idpA.accessToken('alice', { [CLAIM]: slugs.a })
    assert.deepEqual(await landing(alice), { status: 200, tenant: ids.a, code: undefined })
    // An unbound issuer still enters an unbound tenant by the claim.
    const bob = await idpB.accessToken('bob', { [CLAIM]: slugs.c })
    assert.deepEqual(await landing(bob), { status: 200, tenant: ids.c, code: undefined })
  })

  test('a bound issuer cannot claim its way into another tenant, and needs no claim for its own', async () => {
    const alice = await idpA.accessToken('alice', { [CLAIM]: slugs.c })
    assert.deepEqual(await landing(alice), {
      status: 403,
      tenant: undefined,
      code: 'tenant_issuer_mismatch',
    })
    const unnamed = await idpA.accessToken('alice')
    assert.deepEqual(await landing(unnamed), { status: 200, tenant: ids.a, code: undefined })
    // An unbound issuer without a claim has no tenant at all: fail closed.
    const bob = await idpB.accessToken('bob')
    assert.equal((await landing(bob)).status, 403)
  })
})

interface Key {
  key: string
  role: string
  scopes: string[]
}

describe("a key's scopes are capped by its creator's", () => {
  const mint = (by: string, body: Record<string, unknown>, path = '/v1/auth/api-keys') =>
    call(path, by, { method: 'POST', json: { name: 'k', ...body } })
  let admin: string
  before(async () => {
    admin = await idpA.accessToken('alice')
  })

  test('a keys:write-only key cannot mint * nor tasks:write', async () => {
    const narrow = await json<Key>(await mint(admin, { scopes: ['keys:write'] }))
    for (const scopes of [['*'], ['tasks:write'], ['keys:*'], ['keys:write', 'tasks:read']]) {
      const res = await mint(narrow.key, { scopes })
      const body = await json<{ error: { message: string; details: { scope: string } } }>(res, 403)
      assert.ok(scopes.includes(body.error.details.scope), JSON.stringify(body))
      assert.match(body.error.message, /cannot hold more than its creator/)
    }
    // A weaker role does not open a wider scope either.
    assert.equal((await mint(narrow.key, { role: 'viewer', scopes: ['tasks:read'] })).status, 403)
    // Within its own scope it still mints.
    const same = await json<Key>(await mint(narrow.key, { scopes: ['keys:write'] }))
    assert.deepEqual(same.scopes, ['keys:write'])
  })

  test('a key minted by a narrowed key without scopes gets its creator scopes, not *', async () => {
    const narrow = await json<Key>(await mint(admin, { scopes: ['keys:write'] }))
    for (const body of [{}, { scopes: [] }]) {
      const child = await json<Key>(await mint(narrow.key, body))
      assert.deepEqual(child.scopes, ['keys:write'], JSON.stringify(body))
      assert.equal((await call('/v1/agent/tasks', child.key)).status, 403)
    }
  })

  test('a key narrowed to keys:admin cannot mint a worker token, nor a role above its own', async () => {
    const keyAdmin = await json<Key>(await mint(admin, { scopes: ['keys:admin'] }))
    assert.equal((await mint(keyAdmin.key, {}, '/v1/auth/worker-tokens')).status, 403)
    assert.equal((await mint(admin, {}, '/v1/auth/worker-tokens')).status, 200)
    // Roles are capped between API keys too, and an unnarrowed member key mints its like.
    const member = await json<Key>(await mint(admin, { role: 'member' }))
    assert.deepEqual([member.role, member.scopes], ['member', ['*']])
    assert.equal((await mint(member.key, { role: 'admin' })).status, 403)
    const child = await json<Key>(await mint(member.key, { scopes: ['tasks:write'] }))
    assert.deepEqual([child.role, child.scopes], ['member', ['tasks:write']])
    const task = await call('/v1/agent/tasks', child.key, {
      method: 'POST',
      json: { prompt: 'made by a key made by a key' },
    })
    assert.equal(task.status, 200, await task.text())
  })
})
