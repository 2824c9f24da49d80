/**
 * Reads of a task through the edge cache (read-cache.ts): a finished task is served from it,
 * never to another tenant, never while it can still change, and not after its workspace is
 * deleted.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rpc, v10Message } from './a2a-helpers'
import { api, asTenant, connectAsOwner, getJson, newTenantAdmin, stack } from './helpers'
import { claim, createTask, register, release, uid } from './queue-helpers'

const V1 = { 'A2A-Version': '1.0' }
const getTask = (id: string, token?: string) =>
  api('/', {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'application/json', ...V1 },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id } }),
  }).then((r) => r.json())

/** Changes a task's row behind the server's back, as only the database owner could. */
async function rewriteResult(id: string, result: string) {
  const owner = await connectAsOwner()
  try {
    await asTenant(owner, stack().tenantId, () =>
      owner.query('update tasks set result = $2 where id = $1', [id, result]),
    )
  } finally {
    await owner.end()
  }
}

describe('reads of a finished task from the edge cache', () => {
  test('a finished task is served from the cache: a change behind its back is not seen', async () => {
    const sent = await rpc('SendMessage', { message: v10Message({}, 'Calculate 6 * 7') }, V1)
    const id = sent.body.result.task.id as string
    assert.equal((await getTask(id)).result.status.state, 'TASK_STATE_COMPLETED')
    const original = (await getJson(`/v1/agent/tasks/${id}`)).result as string
    // The entry is written after a reply: until it is there, a read sees the change (and
    // then, the row put back, caches the original).
    let seen = ''
    for (let i = 0; i < 40; i++) {
      await rewriteResult(id, 'changed behind its back')
      seen = (await getJson(`/v1/agent/tasks/${id}`)).result
      if (seen === original) break
      await rewriteResult(id, original)
      await getJson(`/v1/agent/tasks/${id}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal(seen, original, 'a cached read')
    assert.equal((await getTask(id)).result.status.state, 'TASK_STATE_COMPLETED')
  })

  test('another tenant never reads a cached task, by any protocol', async () => {
    const sent = await rpc('SendMessage', { message: v10Message({}, 'Calculate 2 + 2') }, V1)
    const id = sent.body.result.task.id as string
    for (let i = 0; i < 3; i++) assert.ok((await getTask(id)).result, 'cached for its tenant')
    const other = await newTenantAdmin()
    const theirs = await getTask(id, other.key)
    assert.equal(theirs.error?.code, -32001, JSON.stringify(theirs))
    const rest = await api(`/v1/agent/tasks/${id}`, { token: other.key })
    assert.equal(rest.status, 404)
  })

  test('a task that can still change is read fresh at every step', async () => {
    const worker = await register()
    const task = await createTask()
    const read = async () => (await getJson(`/v1/agent/tasks/${task.id}`)).status
    assert.equal(await read(), 'pending')
    assert.equal(await read(), 'pending')
    assert.equal((await claim(worker, task.id)).status, 200)
    assert.equal(await read(), 'running')
    assert.equal((await getTask(task.id)).result.status.state, 'TASK_STATE_WORKING')
    assert.equal((await release(worker, task.id)).status, 200)
    assert.equal(await read(), 'completed')
    assert.equal((await getTask(task.id)).result.status.state, 'TASK_STATE_COMPLETED')
  })

  test("a deleted workspace's finished tasks are gone from reads at once", async () => {
    const worker = await register()
    const made = await (
      await api('/v1/agent/workspaces', {
        method: 'POST',
        json: { name: 'cached', path: `/home/u/${uid()}`, worker_id: worker },
      })
    ).json()
    const workspace = made.workspace.id as string
    const task = await (
      await api(`/v1/agent/workspaces/${workspace}/tasks`, {
        method: 'POST',
        json: { prompt: 'finish me' },
      })
    ).json()
    assert.equal((await claim(worker, task.id)).status, 200)
    assert.equal((await release(worker, task.id)).status, 200)
    for (let i = 0; i < 3; i++)
      assert.equal((await getJson(`/v1/agent/tasks/${task.id}`)).status, 'completed')
    assert.equal((await api(`/v1/agent/workspaces/${workspace}`, { method: 'DELETE' })).status, 200)
    assert.equal((await api(`/v1/agent/tasks/${task.id}`)).status, 404)
    assert.equal((await getTask(task.id)).error?.code, -32001)
  })
})
