/** Task push to connected workers, and the lease reaper, with simulated workers. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { shardOf } from '../src/lib/shard'
import { recordSse } from './a2a-helpers'
import { api, stack, stackVars, startTestWorker } from './helpers'

const uid = () => crypto.randomUUID().slice(0, 8)
const createTask = async (base: string | undefined, extra: Record<string, unknown> = {}) => {
  const init = { method: 'POST', json: { prompt: `job ${uid()}`, ...extra } }
  const res = base
    ? await fetch(`${base}/v1/agent/tasks`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${stack().devToken}`,
        },
        body: JSON.stringify(init.json),
      })
    : await api('/v1/agent/tasks', init)
  return (await res.json()) as { id: string }
}

async function waitUntil(ok: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

describe('task push', () => {
  test('connected, pending work replayed, new work pushed at once to eligible workers only', async () => {
    const before = await createTask(undefined)
    const worker = `w-${uid()}`
    const abort = new AbortController()
    const res = await api('/v1/worker/tasks/stream', {
      signal: abort.signal,
      headers: {
        'X-Worker-ID': worker,
        'X-Agent-Name': 'tester',
        'X-Codebases': 'global',
        'X-Capabilities': 'python',
      },
    })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
    const { events: got, done: reading } = recordSse(res) // ends when we hang up
    await waitUntil(() => got.some((e) => e.event === 'connected'))
    const connected = await (await api('/v1/worker/connected')).json()
    assert.ok(connected.some((w: { worker_id: string }) => w.worker_id === worker))
    const gpuId = (await createTask(undefined, { required_capabilities: ['gpu'] })).id
    const pushedId = (await createTask(undefined)).id
    const has = (id: string) =>
      got.some((e) => e.event === 'task_available' && (e.data as { id: string }).id === id)
    await waitUntil(() => has(pushedId))
    abort.abort()
    await reading
    assert.equal(got[0]?.event, 'connected')
    const available = got
      .filter((e) => e.event === 'task_available')
      .map((e) => (e.data as { id: string }).id)
    assert.ok(available.includes(before.id), 'pending work replayed on connect')
    assert.ok(available.includes(pushedId), 'new work pushed')
    assert.ok(!available.includes(gpuId), 'not pushed to a worker without the capability')
    const ids = got.map((e) => Number(e.id))
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'event ids increase',
    )
  })
})

describe("a tenant's workers over several hubs", () => {
  test('every hub holds some: all are listed, any-task reaches each, one-worker tasks only theirs', async () => {
    const shards = Number(stackVars().HUB_SHARDS)
    assert.ok(shards > 1, 'the test stack spreads workers over several hubs')
    // Workers whose ids fall in every hub.
    const workers: string[] = []
    for (let i = 0; workers.length < shards * 2 && i < 1000; i++) {
      const id = `hub-${uid()}`
      if (workers.filter((w) => shardOf(w, shards) === shardOf(id, shards)).length < 2)
        workers.push(id)
    }
    assert.equal(new Set(workers.map((w) => shardOf(w, shards))).size, shards)
    const abort = new AbortController()
    const streams = await Promise.all(
      workers.map(async (worker) => {
        const res = await api('/v1/worker/tasks/stream', {
          signal: abort.signal,
          headers: { 'X-Worker-ID': worker, 'X-Codebases': 'global' },
        })
        return recordSse(res).events
      }),
    )
    try {
      await waitUntil(() => streams.every((got) => got.some((e) => e.event === 'connected')))
      const listed = (await (await api('/v1/worker/connected')).json()) as { worker_id: string }[]
      for (const w of workers)
        assert.ok(
          listed.some((l) => l.worker_id === w),
          `${w} listed`,
        )
      const offered = (got: (typeof streams)[number], id: string) =>
        got.some((e) => e.event === 'task_available' && (e.data as { id: string }).id === id)
      const any = await createTask(undefined)
      await waitUntil(() => streams.every((got) => offered(got, any.id)))
      for (const [i, got] of streams.entries())
        assert.ok(offered(got, any.id), `${workers[i]} offered it`)
      const target = workers[workers.length - 1] as string
      const one = await createTask(undefined, { target_worker_id: target })
      await waitUntil(() => offered(streams[workers.length - 1] ?? [], one.id))
      for (const [i, got] of streams.entries())
        assert.equal(offered(got, one.id), workers[i] === target, `${workers[i]} and ${one.id}`)
    } finally {
      abort.abort()
    }
  })
})

describe('cancel', () => {
  test('cancelling a running task tells its worker, which can then neither add output nor release', async () => {
    const worker = `w-${uid()}`
    await api('/v1/agent/workers/register', {
      method: 'POST',
      json: { worker_id: worker, name: worker },
    })
    const abort = new AbortController()
    const res = await api('/v1/worker/tasks/stream', {
      signal: abort.signal,
      headers: { 'X-Worker-ID': worker, 'X-Codebases': 'global' },
    })
    const { events: got, done: reading } = recordSse(res)
    const task = await createTask(undefined)
    const claimed = await api('/v1/worker/tasks/claim', {
      method: 'POST',
      headers: { 'X-Worker-ID': worker },
      json: { task_id: task.id },
    })
    assert.equal(claimed.status, 200)
    const cancel = await api(`/v1/agent/tasks/${task.id}/cancel`, { method: 'POST' })
    assert.equal(cancel.status, 200)
    assert.equal((await cancel.json()).task.status, 'cancelled')
    await waitUntil(() => got.some((e) => e.event === 'task_cancelled'))
    abort.abort()
    await reading
    assert.deepEqual(got.find((e) => e.event === 'task_cancelled')?.data, { task_id: task.id })
    const out = await api(`/v1/agent/tasks/${task.id}/output`, {
      method: 'POST',
      json: { worker_id: worker, output: 'x', attempt: 1 },
    })
    assert.equal(out.status, 409)
    const rel = await api('/v1/worker/tasks/release', {
      method: 'POST',
      headers: { 'X-Worker-ID': worker },
      json: { task_id: task.id, status: 'completed', attempt: 1 },
    })
    assert.equal(rel.status, 409)
    assert.equal(
      (await api(`/v1/agent/tasks/${task.id}/cancel`, { method: 'POST' })).status,
      200,
      'idempotent',
    )
    assert.equal((await api('/v1/agent/tasks/no-such/cancel', { method: 'POST' })).status, 404)
  })
})

describe('the lease reaper', () => {
  test('a worker that goes silent loses its lease; another finishes; the late release is refused', async () => {
    const { worker, url } = await startTestWorker('reaper-worker', {
      ...stackVars(),
      LEASE_SECONDS: '2',
      REAPER_INTERVAL_SECONDS: '1',
    })
    const call = (path: string, body: unknown, workerId?: string) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${stack().devToken}`,
          ...(workerId ? { 'X-Worker-ID': workerId } : {}),
        },
        body: JSON.stringify(body),
      })
    try {
      const [a, b] = [`a-${uid()}`, `b-${uid()}`]
      for (const id of [a, b])
        assert.equal(
          (await call('/v1/agent/workers/register', { worker_id: id, name: id })).status,
          200,
        )
      const task = await createTask(url)
      assert.equal((await call('/v1/worker/tasks/claim', { task_id: task.id }, a)).status, 200)
      let second: Response | undefined
      for (let i = 0; i < 40; i++) {
        await new Promise((r) => setTimeout(r, 250))
        second = await call('/v1/worker/tasks/claim', { task_id: task.id }, b)
        if (second.status === 200) break
      }
      assert.equal(second?.status, 200, 'requeued by the reaper and claimed by the other worker')
      assert.equal((await (second as Response).json()).attempt, 2)
      assert.equal(
        (
          await call(
            '/v1/worker/tasks/release',
            { task_id: task.id, status: 'completed', attempt: 1 },
            a,
          )
        ).status,
        409,
      )
      assert.equal(
        (
          await call(
            '/v1/worker/tasks/release',
            { task_id: task.id, status: 'completed', attempt: 2 },
            b,
          )
        ).status,
        200,
      )
    } finally {
      await worker.stop()
    }
  })
})

describe('offers to a large fleet', () => {
  /** Task streams of these workers on `url`, and how many of them were offered a task. */
  async function fleet(url: string, workers: string[], signal: AbortSignal) {
    const streams = await Promise.all(
      workers.map(async (id) => {
        const res = await fetch(`${url}/v1/worker/tasks/stream`, {
          signal,
          headers: {
            Authorization: `Bearer ${stack().devToken}`,
            'X-Worker-ID': id,
            'X-Codebases': 'global',
          },
        })
        return recordSse(res).events
      }),
    )
    await waitUntil(() => streams.every((got) => got.some((e) => e.event === 'connected')))
    /** The indexes of the workers offered this task. */
    const offeredTo = (id: string) =>
      streams.flatMap((got, w) =>
        got.some((e) => e.event === 'task_available' && (e.data as { id: string }).id === id)
          ? [w]
          : [],
      )
    return { offeredTo }
  }

  const narrowHub = async (name: string) =>
    startTestWorker(name, { ...stackVars(), HUB_SHARDS: '1', OFFER_FANOUT: '2' })

  test('a new task goes to at most OFFER_FANOUT eligible workers, in turn', async () => {
    const { worker, url } = await narrowHub('offer-fanout')
    const abort = new AbortController()
    try {
      const { offeredTo } = await fleet(
        url,
        Array.from({ length: 5 }, () => `fan-${uid()}`),
        abort.signal,
      )
      const told = new Set<number>()
      for (let i = 0; i < 5; i++) {
        const task = await createTask(url)
        await waitUntil(() => offeredTo(task.id).length === 2)
        await new Promise((r) => setTimeout(r, 100)) // a third would have arrived by now
        assert.equal(offeredTo(task.id).length, 2, 'two of the five eligible workers')
        for (const w of offeredTo(task.id)) told.add(w)
      }
      assert.equal(told.size, 5, 'every worker had its turn')
    } finally {
      abort.abort()
      await worker.stop()
    }
  })

  test('a task for a model goes to OFFER_FANOUT of the workers that registered it', async () => {
    const { worker, url } = await narrowHub('offer-models')
    const abort = new AbortController()
    const register = async (id: string, models: unknown[]) => {
      const res = await fetch(`${url}/v1/agent/workers/register`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${stack().devToken}`,
        },
        body: JSON.stringify({ worker_id: id, name: id, models }),
      })
      assert.equal(res.status, 200, await res.text())
    }
    try {
      const model = `acme-${uid()}/m1`
      const ids = Array.from({ length: 5 }, () => `model-${uid()}`)
      // Three have the model (one reports it as upstream's object, with ':' for '/', which
      // the claim reads alike), two another.
      const asObject = { id: model.replace('/', ':'), name: 'M1' }
      for (const [i, id] of ids.entries())
        await register(id, i === 0 ? [asObject] : i < 3 ? [model] : ['acme/other'])
      const { offeredTo } = await fleet(url, ids, abort.signal)
      const told = new Set<number>()
      for (let i = 0; i < 3; i++) {
        const task = await createTask(url, { model_ref: model })
        await waitUntil(() => offeredTo(task.id).length === 2)
        await new Promise((r) => setTimeout(r, 100))
        assert.equal(offeredTo(task.id).length, 2, 'two of the three with the model')
        for (const w of offeredTo(task.id)) told.add(w)
      }
      assert.deepEqual([...told].sort(), [0, 1, 2], 'only those with the model, each in turn')

      // Registering again while connected: the stream is offered by the new models.
      await register(ids[4] as string, [model])
      const seen = new Set<number>()
      for (let i = 0; i < 4 && !seen.has(4); i++) {
        const task = await createTask(url, { model_ref: model })
        await waitUntil(() => offeredTo(task.id).length === 2)
        for (const w of offeredTo(task.id)) seen.add(w)
      }
      assert.ok(seen.has(4), 'the worker that registered the model was offered one')
      assert.ok(!seen.has(3), 'the one without it never was')
    } finally {
      abort.abort()
      await worker.stop()
    }
  })
})
