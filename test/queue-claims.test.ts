/**
 * Claims of several tasks at once, and a release that claims the next in the same round trip:
 * best first, never a task twice, only what the worker may take, nothing when the release is
 * refused.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { api, getJson, newTenantAdmin } from './helpers'
import { claim, createTask, register, release, uid } from './queue-helpers'

interface Claimed {
  task_id: string
  attempt: number
  task: { status: string }
}
interface Granted {
  claims: Claimed[]
  gone: string[]
}

const claims = async (worker: string, taskIds: string[], max?: number) => {
  const res = await api('/v1/worker/tasks/claims', {
    method: 'POST',
    headers: { 'X-Worker-ID': worker },
    json: { task_ids: taskIds, ...(max === undefined ? {} : { max }) },
  })
  assert.equal(res.status, 200, await res.clone().text())
  return (await res.json()) as Granted
}

const releaseNext = (worker: string, taskId: string, attempt: number, next: string[], max = 1) =>
  release(worker, taskId, { result: 'ok', attempt, claim_next: { task_ids: next, max } })

const ids = (g: Granted) => g.claims.map((c) => c.task_id)
const statusOf = async (id: string) => (await getJson(`/v1/agent/tasks/${id}`)).status

describe('claims of several tasks', () => {
  test('up to max of the named tasks, highest priority then oldest; the rest later, the taken gone', async () => {
    const worker = await register()
    const low = await createTask({ priority: 1 })
    const high = await createTask({ priority: 9 })
    const mid = [await createTask({ priority: 5 }), await createTask({ priority: 5 })]
    const named = [low.id, mid[1]?.id, high.id, mid[0]?.id] as string[]
    const first = await claims(worker, named, 3)
    assert.deepEqual(ids(first), [high.id, mid[0]?.id, mid[1]?.id])
    assert.deepEqual(first.gone, [])
    for (const c of first.claims) {
      assert.equal(c.attempt, 1)
      assert.equal(c.task.status, 'running')
    }
    const second = await claims(worker, named, 4)
    assert.deepEqual(ids(second), [low.id])
    assert.deepEqual(second.gone.sort(), [high.id, ...mid.map((t) => t.id)].sort())
    assert.deepEqual(ids(await claims(worker, named)), [], 'nothing left to claim')
  })

  test('only what the worker may take: capabilities, another tenant, unknown ids', async () => {
    const worker = await register()
    const gpu = await createTask({ required_capabilities: ['gpu'] })
    const other = await newTenantAdmin()
    const theirs = await (
      await api('/v1/agent/tasks', { method: 'POST', token: other.key, json: { prompt: 'x' } })
    ).json()
    const nope = `nope-${uid()}`
    const got = await claims(worker, [gpu.id, theirs.id, nope], 3)
    assert.deepEqual(ids(got), [])
    // Not this worker's to take is gone to it: it says nothing of what it may not see.
    assert.deepEqual(got.gone.sort(), [gpu.id, theirs.id, nope].sort())
    assert.equal(await statusOf(gpu.id), 'pending', 'left for a worker that may take it')
    const { status } = await (
      await api(`/v1/agent/tasks/${theirs.id}`, { token: other.key })
    ).json()
    assert.equal(status, 'pending')
  })

  test('racing workers split the named tasks: every one claimed once', async () => {
    const workers = await Promise.all(Array.from({ length: 6 }, () => register()))
    const tasks = await Promise.all(Array.from({ length: 24 }, () => createTask()))
    const named = tasks.map((t) => t.id)
    const got = await Promise.all(workers.map((w) => claims(w, named, 6)))
    const all = got.flatMap(ids)
    assert.equal(new Set(all).size, all.length, 'no task claimed twice')
    // Skipped, not waited for: a worker may get fewer than it asked while others hold rows.
    const left = named.filter((id) => !all.includes(id))
    if (left.length > 0) {
      const more = await claims(workers[0] as string, left, 24)
      assert.deepEqual(ids(more).sort(), left.sort())
    }
  })

  test('a bad wish is a 400 naming the field', async () => {
    const worker = await register()
    for (const json of [
      { task_ids: [] },
      { task_ids: ['a'], max: 0 },
      { task_ids: ['a'], max: 99 },
    ]) {
      const res = await api('/v1/worker/tasks/claims', {
        method: 'POST',
        headers: { 'X-Worker-ID': worker },
        json,
      })
      assert.equal(res.status, 400)
      assert.match(await res.text(), /task_ids|max/)
    }
  })
})

describe('release and claim the next in one round trip', () => {
  test('the result is stored and the next task claimed, in one request', async () => {
    const worker = await register()
    const [a, b, c] = [await createTask(), await createTask(), await createTask()]
    const held = await (await claim(worker, a.id)).json()
    const res = await releaseNext(worker, a.id, held.attempt, [a.id, b.id, c.id], 2)
    assert.equal(res.status, 200)
    const body = (await res.json()) as Granted & { task: { status: string; result: string } }
    assert.equal(body.task.status, 'completed')
    assert.equal(body.task.result, 'ok')
    assert.deepEqual(ids(body).sort(), [b.id, c.id].sort())
    assert.deepEqual(body.gone, [a.id], 'the one just finished is gone')
    assert.equal(await statusOf(b.id), 'running')
  })

  test('a refused release claims nothing', async () => {
    const [worker, thief] = [await register(), await register()]
    const [a, b] = [await createTask(), await createTask()]
    const held = await (await claim(worker, a.id)).json()
    const stale = await releaseNext(worker, a.id, held.attempt + 1, [b.id])
    assert.equal(stale.status, 409)
    const notHeld = await releaseNext(thief, a.id, held.attempt, [b.id])
    assert.equal(notHeld.status, 409)
    assert.equal(await statusOf(b.id), 'pending')
    assert.equal(await statusOf(a.id), 'running')
  })

  test('workers finishing and claiming in a loop run every task once', async () => {
    const workers = await Promise.all(Array.from({ length: 4 }, () => register()))
    const tasks = await Promise.all(Array.from({ length: 20 }, () => createTask()))
    const named = tasks.map((t) => t.id)
    const runs: string[] = []
    await Promise.all(
      workers.map(async (w) => {
        let held = (await claims(w, named, 1)).claims[0]
        while (held) {
          runs.push(held.task_id)
          const res = await releaseNext(w, held.task_id, held.attempt, named)
          assert.equal(res.status, 200)
          held = ((await res.json()) as Granted).claims[0]
        }
      }),
    )
    assert.deepEqual([...runs].sort(), [...named].sort(), 'each task run exactly once')
    for (const id of named) assert.equal(await statusOf(id), 'completed')
  })
})
