/** The worker protocol with simulated workers: registration, claims, leases, output, release. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { readSse } from './a2a-helpers'
import { api, asTenant, connectAsApp, stack } from './helpers'
import { claim, createTask, expireLease, output, register, release, uid } from './queue-helpers'

describe('workers and the task queue', () => {
  test('workers register, heartbeat (404 means register again) and are listed', async () => {
    const unknown = await api('/v1/agent/workers/nobody/heartbeat', { method: 'POST' })
    assert.equal(unknown.status, 404)
    const id = await register(['python'])
    assert.equal((await api(`/v1/agent/workers/${id}/heartbeat`, { method: 'POST' })).status, 200)
    const listed = await (await api('/v1/agent/workers?online_only=true')).json()
    const me = listed.find((w: { worker_id: string }) => w.worker_id === id)
    assert.equal(me.is_online, true)
    assert.deepEqual(me.capabilities, ['python'])
  })

  test('GET /v1/agent/status counts what the tenant has', async () => {
    await createTask()
    const status = await (await api('/v1/agent/status')).json()
    assert.equal(status.available, true)
    assert.ok(status.tasks.pending >= 1)
    assert.equal(typeof status.workers_online, 'number')
  })

  test('a new task is pending on REST and A2A alike', async () => {
    const task = await createTask({ title: 'queued' })
    assert.equal(task.status, 'pending')
    const pending = await (await api('/v1/agent/tasks?status=pending&limit=500')).json()
    assert.ok(pending.some((t: { id: string }) => t.id === task.id))
    const bad = await api('/v1/agent/tasks', { method: 'POST', json: { title: 'no prompt' } })
    assert.equal(bad.status, 400)
    assert.match(JSON.stringify(await bad.json()), /prompt/)
    const nowhere = await api('/v1/agent/tasks', {
      method: 'POST',
      json: { prompt: 'x', workspace_id: 'no-such-workspace' },
    })
    assert.equal(nowhere.status, 404)
  })

  test('two workers race for one task: exactly one 200, one 409', async () => {
    const [a, b] = [await register(), await register()]
    for (let i = 0; i < 5; i++) {
      const task = await createTask()
      const results = await Promise.all([claim(a, task.id), claim(b, task.id)])
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
      const loser = results.find((r) => r.status === 409) as Response
      assert.equal((await loser.json()).error.details.status, 'running')
    }
  })

  test('output is durable and ordered, replays from any since, and only the holder may add it', async () => {
    const [a, b] = [await register(), await register()]
    const task = await createTask()
    const lease = await (await claim(a, task.id)).json()
    assert.equal(lease.attempt, 1)
    assert.ok(Date.parse(lease.lease_expires_at) > Date.now())
    const seqs: number[] = []
    for (const line of ['one', 'two', 'three'])
      seqs.push((await (await output(a, task.id, line)).json()).seq)
    const all = await (await api(`/v1/agent/tasks/${task.id}/output`)).json()
    assert.deepEqual(
      all.outputs.map((o: { output: string }) => o.output),
      ['one', 'two', 'three'],
    )
    const later = await (await api(`/v1/agent/tasks/${task.id}/output?since=${seqs[0]}`)).json()
    assert.deepEqual(
      later.outputs.map((o: { output: string }) => o.output),
      ['two', 'three'],
    )
    assert.equal((await output(b, task.id, 'intruder')).status, 409)
    assert.equal((await release(b, task.id)).status, 409)
    const done = await release(a, task.id)
    assert.equal(done.status, 200)
    assert.equal((await done.json()).task.status, 'completed')
    assert.equal((await release(a, task.id)).status, 409, 'released only once')
    assert.equal((await output(a, task.id, 'late')).status, 409)
  })

  test('output/stream replays, follows live output and ends with done', async () => {
    const a = await register()
    const task = await createTask()
    await claim(a, task.id)
    await output(a, task.id, 'before')
    const res = await api(`/v1/agent/tasks/${task.id}/output/stream`)
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
    const reading = readSse(res)
    await output(a, task.id, 'live')
    await release(a, task.id)
    const events = await reading
    assert.deepEqual(
      events.map(
        (e) =>
          `${e.event}:${(e.data as { output?: string; status?: string }).output ?? (e.data as { status: string }).status}`,
      ),
      ['output:before', 'output:live', 'done:completed'],
    )
    const replay = await readSse(
      await api(`/v1/agent/tasks/${task.id}/output/stream?since=${events[0]?.id}`),
    )
    assert.deepEqual(
      replay.map((e) => e.event),
      ['output', 'done'],
    )
  })

  test("upstream's streaming client, reading only data lines, gets the lines and the end", async () => {
    const a = await register()
    const task = await createTask()
    await claim(a, task.id)
    await output(a, task.id, 'hello')
    await output(a, task.id, 'world')
    await release(a, task.id)
    // As the original's client reads: each `data:` line's JSON, `type` and `content`.
    const text = await (await api(`/v1/agent/tasks/${task.id}/output/stream`)).text()
    const seen: string[] = []
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ')) continue
      const data = JSON.parse(line.slice(6)) as { type?: string; content?: string; status?: string }
      if (data.type === 'output') seen.push(data.content ?? '')
      if (data.type === 'done') seen.push(`done: ${data.status}`)
    }
    assert.deepEqual(seen, ['hello', 'world', 'done: completed'])
  })

  test('after a lease expires another worker finishes; the first one is fenced off', async () => {
    const [a, b] = [await register(), await register()]
    const task = await createTask()
    assert.equal((await (await claim(a, task.id)).json()).attempt, 1)
    await expireLease(task.id)
    assert.equal((await (await claim(b, task.id)).json()).attempt, 2)
    assert.equal((await output(a, task.id, 'stale', 1)).status, 409)
    assert.equal((await release(a, task.id, { attempt: 1 })).status, 409)
    const ok = await release(b, task.id, { attempt: 2, result: 'finished by b' })
    assert.equal(ok.status, 200)
    const rest = await (await api(`/v1/agent/tasks/${task.id}`)).json()
    assert.equal(rest.worker_id, b)
    assert.equal(rest.result, 'finished by b')
  })

  test('routing: capabilities, model and workspace ownership decide who may claim', async () => {
    const plain = await register([])
    const gpu = await register(['gpu'], [{ id: 'anthropic/claude-sonnet' }])
    const needsGpu = await createTask({ required_capabilities: ['gpu'] })
    assert.equal((await claim(plain, needsGpu.id)).status, 409)
    assert.equal((await claim(gpu, needsGpu.id)).status, 200)
    const needsModel = await createTask({ model_ref: 'anthropic:claude-sonnet' })
    assert.equal((await claim(plain, needsModel.id)).status, 409)
    assert.equal((await claim(gpu, needsModel.id)).status, 200)

    const ws = await (
      await api('/v1/agent/codebases', {
        method: 'POST',
        json: { name: 'repo', path: `/srv/${uid()}`, worker_id: plain },
      })
    ).json()
    const owned = await (
      await api(`/v1/agent/codebases/${ws.workspace.id}/tasks`, {
        method: 'POST',
        json: { prompt: 'fix it' },
      })
    ).json()
    assert.equal(owned.workspace_id, ws.workspace.id)
    assert.equal(
      (await claim(gpu, owned.id)).status,
      409,
      'not the owner while the owner is online',
    )
    assert.equal((await claim(plain, owned.id)).status, 200)
    const targeted = await createTask({ target_worker_id: gpu })
    assert.equal((await claim(plain, targeted.id)).status, 409)
    assert.equal((await claim(gpu, targeted.id)).status, 200)
  })

  test('an unknown task is 404; a claim without a worker id is 400', async () => {
    assert.equal((await claim(await register(), 'no-such-task')).status, 404)
    const anonymous = await api('/v1/worker/tasks/claim', {
      method: 'POST',
      json: { task_id: 'x' },
    })
    assert.equal(anonymous.status, 400)
  })

  test('a polling worker sees only the pending work it may claim', async () => {
    const [plain, gpu] = [await register(), await register(['gpu'])]
    const task = await createTask({ required_capabilities: ['gpu'] })
    const seen = async (worker: string) =>
      (
        await (
          await api('/v1/agent/tasks?status=pending&limit=500', {
            headers: { 'X-Worker-ID': worker },
          })
        ).json()
      ).some((t: { id: string }) => t.id === task.id)
    assert.equal(await seen(plain), false)
    assert.equal(await seen(gpu), true)
  })

  test('models are the union of what online workers offer', async () => {
    const model = `openai/gpt-${uid()}`
    await register([], [{ id: model, name: 'GPT' }])
    const { models } = await (await api('/v1/agent/models')).json()
    assert.ok(models.some((m: { id: string }) => m.id === model))
  })

  test('requeue by hand fences off the old holder; a finished task cannot be requeued', async () => {
    const [a, b] = [await register(), await register()]
    const task = await createTask()
    await claim(a, task.id)
    const res = await api(`/v1/agent/tasks/${task.id}/requeue`, { method: 'POST' })
    assert.equal(res.status, 200)
    const view = (await res.json()).task
    assert.equal(view.status, 'pending')
    assert.equal(view.worker_id, null)
    assert.equal((await release(a, task.id)).status, 409)
    assert.equal((await (await claim(b, task.id)).json()).attempt, 2)
    await release(b, task.id)
    assert.equal((await api(`/v1/agent/tasks/${task.id}/requeue`, { method: 'POST' })).status, 409)
  })

  test('stuck tasks are listed and recovered by the reaper on demand', async () => {
    const a = await register()
    const task = await createTask()
    await claim(a, task.id)
    const app = await connectAsApp()
    try {
      await asTenant(app, stack().tenantId, () =>
        app.query(`update tasks set lease_expires_at = now() - interval '1 second' where id = $1`, [
          task.id,
        ]),
      )
    } finally {
      await app.end()
    }
    const stuck = await (await api('/v1/agent/tasks/stuck')).json()
    assert.ok(stuck.tasks.some((t: { id: string }) => t.id === task.id))
    const recovered = await (await api('/v1/agent/tasks/stuck/recover', { method: 'POST' })).json()
    assert.ok(recovered.requeued.includes(task.id))
    const after = await (await api(`/v1/agent/tasks/${task.id}`)).json()
    assert.equal(after.status, 'pending')
  })
  test('a heartbeat naming what runs ends the leases of tasks a restarted worker forgot', async () => {
    const a = await register()
    const [kept, forgotten, fresh] = [await createTask(), await createTask(), await createTask()]
    for (const t of [kept, forgotten, fresh]) assert.equal((await claim(a, t.id)).status, 200)
    const app = await connectAsApp()
    try {
      // Claimed a minute ago; `fresh` was claimed just now and its answer may be in flight.
      await asTenant(app, stack().tenantId, () =>
        app.query(`update tasks set status_at = now() - interval '1 minute' where id = any($1)`, [
          [kept.id, forgotten.id],
        ]),
      )
    } finally {
      await app.end()
    }
    const beat = await api(`/v1/agent/workers/${a}/heartbeat`, {
      method: 'POST',
      json: { running: [kept.id] },
    })
    assert.equal(beat.status, 200, await beat.clone().text())
    const stuck = (await (await api('/v1/agent/tasks/stuck')).json()).tasks.map(
      (t: { id: string }) => t.id,
    )
    assert.ok(stuck.includes(forgotten.id))
    assert.ok(!stuck.includes(kept.id))
    assert.ok(!stuck.includes(fresh.id), 'a claim younger than the grace keeps its lease')
    const bad = await api(`/v1/agent/workers/${a}/heartbeat`, {
      method: 'POST',
      json: { running: 7 },
    })
    assert.equal(bad.status, 400)
  })
})
