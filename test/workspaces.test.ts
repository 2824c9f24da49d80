import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type pg from 'pg'
import { api, asTenant, connectAsApp, stack } from './helpers'

let app: pg.Client
const workerId = `worker-${randomUUID().slice(0, 8)}`
const base = `/tmp/ws-${randomUUID().slice(0, 8)}`

before(async () => {
  app = await connectAsApp()
  // Worker registration is its own API (queue issue); here the row is made directly.
  await asTenant(app, stack().tenantId, () =>
    app.query(`insert into workers (tenant_id, id, name) values ($1, $2, 'test worker')`, [
      stack().tenantId,
      workerId,
    ]),
  )
})
after(() => app.end())

describe('workspaces (codebases)', () => {
  let id: string

  test('a worker registers a path; the reply carries it as workspace and codebase', async () => {
    const res = await api('/v1/agent/workspaces', {
      method: 'POST',
      json: {
        name: 'api',
        path: `${base}/api/./src/../`,
        worker_id: workerId,
        agent_config: { a: 1 },
      },
    })
    assert.equal(res.status, 200)
    const body = await res.json()
    assert.equal(body.success, true)
    assert.equal(body.workspace.path, `${base}/api`)
    assert.deepEqual(body.codebase, body.workspace)
    assert.equal(body.workspace.worker_id, workerId)
    assert.deepEqual(body.workspace.agent_config, { a: 1 })
    id = body.workspace.id
  })

  test('registering the same path again updates the one row', async () => {
    const res = await api('/v1/agent/codebases', {
      method: 'POST',
      json: { name: 'api-renamed', path: `${base}/api/`, worker_id: workerId },
    })
    const body = await res.json()
    assert.equal(body.workspace.id, id)
    assert.equal(body.workspace.name, 'api-renamed')
  })

  test('an unknown worker is a 404, a relative path a 400', async () => {
    const unknown = await api('/v1/agent/workspaces', {
      method: 'POST',
      json: { name: 'x', path: `${base}/x`, worker_id: 'no-such-worker' },
    })
    assert.equal(unknown.status, 404)
    const relative = await api('/v1/agent/workspaces', {
      method: 'POST',
      json: { name: 'x', path: 'relative/dir', worker_id: workerId },
    })
    assert.equal(relative.status, 400)
    assert.match((await relative.json()).error.message, /absolute/)
  })

  test('list, filter by a path in any spelling, and get, under both names', async () => {
    const all = await (await api('/v1/agent/workspaces')).json()
    assert.ok(all.some((w: { id: string }) => w.id === id))
    const filtered = await (
      await api(`/v1/agent/codebases?path=${encodeURIComponent(`${base}//api/`)}`)
    ).json()
    assert.deepEqual(
      filtered.map((w: { id: string }) => w.id),
      [id],
    )
    for (const kind of ['workspaces', 'codebases']) {
      const res = await api(`/v1/agent/${kind}/${id}`)
      assert.equal(res.status, 200)
      assert.equal((await res.json()).name, 'api-renamed')
    }
  })

  test('another tenant cannot see it, even by direct SQL', async () => {
    const other = randomUUID()
    const rows = await asTenant(
      app,
      other,
      async () => (await app.query('select id from workspaces')).rows,
    )
    assert.deepEqual(rows, [])
  })

  test('delete removes it; a second delete and a get are 404', async () => {
    assert.equal((await api(`/v1/agent/workspaces/${id}`, { method: 'DELETE' })).status, 200)
    assert.equal((await api(`/v1/agent/workspaces/${id}`, { method: 'DELETE' })).status, 404)
    const res = await api(`/v1/agent/codebases/${id}`)
    assert.equal(res.status, 404)
    assert.equal((await res.json()).error.code, 'not_found')
  })
})

describe("a worker's global codebase", () => {
  const other = `worker-${randomUUID().slice(0, 8)}`
  const home = `${base}/home`
  const register = (worker: string | undefined, path = home) =>
    api('/v1/agent/codebases', {
      method: 'POST',
      json: { name: 'global', path, worker_id: worker, global: true },
    })

  before(() =>
    asTenant(app, stack().tenantId, () =>
      app.query(`insert into workers (tenant_id, id, name) values ($1, $2, 'second')`, [
        stack().tenantId,
        other,
      ]),
    ),
  )

  test('is one row per worker, also where two homes share a path and a codebase is there', async () => {
    const first = await (await register(workerId)).json()
    assert.equal(first.workspace.id, `global-${workerId}`)
    assert.equal(first.workspace.global, true)
    assert.equal(first.workspace.path, home)
    // Registering again (a restart) finds the same row.
    assert.equal((await (await register(workerId)).json()).workspace.id, first.workspace.id)
    // Another machine's home at the same path, and an ordinary codebase there, are rows of their own.
    assert.equal((await (await register(other)).json()).workspace.id, `global-${other}`)
    const plain = await api('/v1/agent/codebases', {
      method: 'POST',
      json: { name: 'home', path: home, worker_id: other },
    })
    assert.equal(plain.status, 200)
    const rows = (await (
      await api(`/v1/agent/codebases?path=${encodeURIComponent(home)}`)
    ).json()) as { id: string; global: boolean; worker_id: string }[]
    assert.deepEqual(
      rows.map((r) => [r.global, r.worker_id]).sort(),
      [
        [false, other],
        [true, other],
        [true, workerId],
      ].sort(),
    )
  })

  test('needs a worker; the address global is not a row to delete; a worker’s row is', async () => {
    const orphan = await register(undefined)
    assert.equal(orphan.status, 400)
    assert.match((await orphan.json()).error.message, /worker_id is required/)
    const address = await api('/v1/agent/codebases/global', { method: 'DELETE' })
    assert.equal(address.status, 400)
    assert.match((await address.json()).error.message, /global-<worker id>/)
    assert.equal((await (await api('/v1/agent/codebases/global')).json()).global, true)
    assert.equal((await register(other)).status, 200)
    const gone = await api(`/v1/agent/codebases/global-${other}`, { method: 'DELETE' })
    assert.equal(gone.status, 200)
    assert.equal((await api(`/v1/agent/codebases/global-${other}`)).status, 404)
  })
})

describe("the original's /v1/opencode paths", () => {
  test('are /v1/agent, served in place: a client registers and reads as there', async () => {
    const path = `${base}/opencode-${randomUUID().slice(0, 8)}`
    // The original worker's call, as it sends it (no token: this stack is in dev mode).
    const registered = await fetch(`${stack().url}/v1/opencode/codebases`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'legacy', path, worker_id: workerId }),
    })
    assert.equal(registered.status, 200)
    const id = (await registered.json()).codebase.id
    const read = await fetch(`${stack().url}/v1/opencode/codebases/${id}`)
    assert.equal((await read.json()).path, path)
    assert.equal(
      (await fetch(`${stack().url}/v1/opencode/codebases`, { method: 'HEAD' })).status,
      200,
    )
  })
})
