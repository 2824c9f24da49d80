/** Queue extras: status reports, UI registration, another tenant, trigger, OpenAPI. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { recordSse, type SseEvent } from './a2a-helpers'
import { api, connectAsOwner, stack, stackVars, startTestWorker } from './helpers'
import { claim, createTask, register, release, uid } from './queue-helpers'

describe('status reports and workspace jobs', () => {
  test('PUT .../status: running claims, a final state releases, both fenced like claim/release', async () => {
    const [a, b] = [await register(), await register()]
    const task = await createTask()
    const put = (worker: string, status: string, extra = {}) =>
      api(`/v1/agent/tasks/${task.id}/status`, {
        method: 'PUT',
        json: { worker_id: worker, status, ...extra },
      })
    assert.equal((await put(a, 'running')).status, 200)
    assert.equal((await put(a, 'running')).status, 200, 'saying it again is fine')
    assert.equal((await put(b, 'running')).status, 409)
    assert.equal((await put(b, 'completed')).status, 409)
    const done = await put(a, 'completed', { result: 'ok' })
    assert.equal((await done.json()).task.status, 'completed')
    assert.equal((await put(a, 'failed')).status, 409)
  })

  test('a workspace asked for from the UI becomes a job for a worker', async () => {
    await register()
    const reg = await (
      await api('/v1/agent/workspaces', {
        method: 'POST',
        json: { name: 'ui', path: `/home/u/${uid()}` },
      })
    ).json()
    assert.equal(reg.pending, true)
    assert.equal(reg.agent_type, 'register_codebase')
    const clone = await (
      await api('/v1/agent/codebases', {
        method: 'POST',
        json: { name: 'git', path: `/home/u/${uid()}`, git_url: 'https://example.com/r.git' },
      })
    ).json()
    assert.equal(clone.agent_type, 'clone_repo')
    const task = await (await api(`/v1/agent/tasks/${clone.task_id}`)).json()
    assert.equal(task.status, 'pending')
  })
})

describe('what a worker resends', () => {
  test('numbered output lines: a resent or overlapping batch stores each line once', async () => {
    const worker = await register()
    const task = await createTask()
    const claimed = await (await claim(worker, task.id)).json()
    const send = (line: number, lines: string[], attempt = claimed.attempt) =>
      api(`/v1/agent/tasks/${task.id}/output`, {
        method: 'POST',
        json: { worker_id: worker, lines, line, attempt },
      })
    assert.equal((await (await send(1, ['a', 'b'])).json()).duplicate, false)
    const again = await (await send(1, ['a', 'b'])).json()
    assert.equal(again.duplicate, true, 'the same batch again stores nothing')
    assert.equal((await send(2, ['b', 'c', 'd'])).status, 200, 'an overlap keeps the new lines')
    assert.equal((await send(5, ['e'], claimed.attempt + 1)).status, 409, 'another attempt')
    const both = await api(`/v1/agent/tasks/${task.id}/output`, {
      method: 'POST',
      json: { worker_id: worker, lines: ['x'], output: 'y', attempt: claimed.attempt },
    })
    assert.equal(both.status, 400)
    // The original's worker sends no attempt: the holder alone fences its lines.
    const unfenced = (w: string) =>
      api(`/v1/agent/tasks/${task.id}/output`, {
        method: 'POST',
        json: { worker_id: w, lines: ['z'], line: 5 },
      })
    assert.equal((await unfenced(await register())).status, 409, 'not the holder')
    assert.equal((await unfenced(worker)).status, 200, 'the holder, without an attempt')
    const stored = await (await api(`/v1/agent/tasks/${task.id}/output`)).json()
    assert.deepEqual(
      stored.outputs.map((o: { output: string }) => o.output),
      ['a', 'b', 'c', 'd', 'z'],
    )
  })

  test('a release without a status lets go: the task is queued again, a finished one stays', async () => {
    const worker = await register()
    const task = await createTask()
    await claim(worker, task.id)
    const bare = (t: string, attempt?: number) =>
      api('/v1/worker/tasks/release', {
        method: 'POST',
        headers: { 'X-Worker-ID': worker },
        json: { task_id: t, attempt },
      })
    const res = await bare(task.id) // the original's worker at shutdown: no attempt
    assert.equal(res.status, 200)
    assert.equal((await res.json()).task.status, 'pending')
    const second = await (await claim(worker, task.id)).json()
    assert.equal(second.attempt, 2, 'the next claim is a new attempt')
    assert.equal((await bare(task.id, 1)).status, 409, 'a stale attempt lets go of nothing')
    assert.equal((await release(worker, task.id)).status, 200)
    const after = await (await bare(task.id)).json()
    assert.equal(after.task.status, 'completed', 'upstream overwrote the outcome here; we do not')
  })
})

describe('a tenant with no workers', () => {
  test('asking for a workspace says no workers are available', async () => {
    const owner = await connectAsOwner()
    let tenant: string
    try {
      tenant = (
        await owner.query<{ id: string }>(`select app.create_tenant($1, 'Empty') as id`, [
          `e-${uid()}`,
        ])
      ).rows[0]?.id as string
    } finally {
      await owner.end()
    }
    const { worker, url } = await startTestWorker('empty-tenant-worker', {
      ...stackVars(),
      DEFAULT_TENANT_ID: tenant,
    })
    try {
      const res = await fetch(`${url}/v1/agent/workspaces`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${stack().devToken}`,
        },
        body: JSON.stringify({ name: 'x', path: '/srv/x' }),
      })
      assert.equal(res.status, 400)
      assert.match((await res.json()).error.message, /No workers available/)
      const listed = await (
        await fetch(`${url}/v1/agent/tasks`, {
          headers: { Authorization: `Bearer ${stack().devToken}` },
        })
      ).json()
      assert.deepEqual(listed, [], "another tenant's tasks are not visible")
    } finally {
      await worker.stop()
    }
  })
})

describe('REST extras', () => {
  test('trigger answers with its routing; global is a workspace; PUT /v1/worker/codebases needs a live stream', async () => {
    const trig = await (
      await api('/v1/agent/codebases/global/trigger', {
        method: 'POST',
        json: { prompt: 'hello', model: 'openai/gpt-x' },
      })
    ).json()
    assert.equal(trig.success, true)
    assert.ok(['dispatched', 'waiting_for_worker'].includes(trig.task_status))
    assert.equal(trig.routing.model_ref, 'openai:gpt-x')
    const global = await (await api('/v1/agent/workspaces/global')).json()
    assert.equal(global.id, 'global')
    const notLive = await api('/v1/worker/codebases', {
      method: 'PUT',
      headers: { 'X-Worker-ID': 'nobody' },
      json: { codebases: ['x'] },
    })
    assert.equal(notLive.status, 404)
  })

  test('the OpenAPI document covers the /v1 routes, streams included', async () => {
    const doc = await (await api('/openapi.json', { token: null })).json()
    for (const path of [
      '/v1/agent/workspaces',
      '/v1/agent/codebases/{id}/trigger',
      '/v1/agent/tasks',
      '/v1/agent/tasks/{id}/output',
      '/v1/agent/tasks/{id}/output/stream',
      '/v1/agent/tasks/{id}/status',
      '/v1/agent/workers/register',
      '/v1/worker/tasks/claim',
      '/v1/worker/tasks/release',
      '/v1/worker/tasks/stream',
      '/v1/worker/codebases',
      '/v1/agent/status',
    ]) {
      assert.ok(doc.paths[path], `${path} is missing from /openapi.json`)
    }
  })
})

describe('workspace events for the UI', () => {
  test('status, text and tool output and the result of a workspace task arrive live', async () => {
    const w = await register()
    const ws = await (
      await api('/v1/agent/codebases', {
        method: 'POST',
        json: { name: 'ui', path: `/srv/${uid()}`, worker_id: w },
      })
    ).json()
    const id = ws.workspace.id as string
    const abort = new AbortController()
    const res = await api(`/v1/agent/codebases/${id}/events`, { signal: abort.signal })
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
    const { events: got, done: reading } = recordSse(res, (e) => e.event === 'result')
    const task = await (
      await api(`/v1/agent/codebases/${id}/tasks`, { method: 'POST', json: { prompt: 'lint it' } })
    ).json()
    const wid = { 'X-Worker-ID': w }
    const { attempt } = await (
      await api('/v1/worker/tasks/claim', {
        method: 'POST',
        headers: wid,
        json: { task_id: task.id },
      })
    ).json()
    const say = (output: string) =>
      api(`/v1/agent/tasks/${task.id}/output`, {
        method: 'POST',
        json: { worker_id: w, output, attempt },
      })
    await say('plain line')
    await say(
      JSON.stringify({
        type: 'tool_use',
        part: { type: 'tool', tool: 'bash', state: { status: 'completed' } },
      }),
    )
    await say(JSON.stringify({ type: 'text', part: { type: 'text', text: 'All clean.' } }))
    await api('/v1/worker/tasks/release', {
      method: 'POST',
      headers: wid,
      json: { task_id: task.id, status: 'completed', result: 'clean', attempt },
    })
    await reading
    abort.abort()
    const shown = got.map((e) => {
      const d = e.data as { status?: string; content?: string; tool?: string; result?: string }
      return `${e.event}:${d.status ?? d.content ?? d.tool ?? d.result ?? ''}`
    })
    assert.deepEqual(shown.slice(0, 1), ['connected:'])
    assert.deepEqual(shown.slice(1), [
      'status:pending',
      'status:running',
      'message:plain line',
      'tool:bash',
      'message:All clean.',
      'status:completed',
      'result:completed',
    ])
    assert.equal(((got.at(-1) as SseEvent).data as { result: string }).result, 'clean')
  })
})
