/**
 * Attacks on how a credential picks its tenant, against a fake identity provider at the
 * wire, real workerd and Postgres: with two trusted issuers and a tenant claim, the issuer a
 * tenant is bound to wins over the claim: a token of the other issuer naming the bound
 * tenant's slug is refused.
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
