/**
 * The original CodeTether's Python worker (agent_worker/worker.py, upstream e88875f), as it
 * speaks on the wire (../shared/reference/upstream-contract.md §2.9): `/v1/opencode/*` paths
 * followed through their 307, no credential there, its global codebase registered before
 * itself, model capabilities as an object, no `attempt` on output or release, a bare release
 * after reporting the outcome by PUT, aiohttp's bare POSTs. Each request below is that worker's,
 * in its order; a dev-mode stack, which is where that worker can register at all.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { recordSse } from './a2a-helpers'
import { stack } from './helpers'
import { createWorkspaceTask, getTask, outputsOf, until } from './worker-helpers'

const workerId = `orig-${crypto.randomUUID().slice(0, 8)}`
const home = `/home/${workerId}`

/** A request as that worker makes it: no Authorization on these paths, redirects followed. */
async function send(method: string, path: string, body?: unknown, headers = {}) {
  const res = await fetch(new URL(path, stack().url), {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  assert.equal(res.status, 200, `${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

const registerCodebase = (name: string, path: string) =>
  send('POST', '/v1/opencode/codebases', {
    name,
    path,
    description: `${name} codebase`,
    worker_id: workerId,
  })

/** Claims, reports running, streams the CLI's lines, reports the outcome, releases bare. */
async function runTask(taskId: string, lines: string[]) {
  await send('POST', '/v1/worker/tasks/claim', { task_id: taskId }, { 'X-Worker-ID': workerId })
  await send('PUT', `/v1/opencode/tasks/${taskId}/status`, {
    status: 'running',
    worker_id: workerId,
  })
  for (const output of lines) {
    const timestamp = new Date().toISOString()
    await send('POST', `/v1/opencode/tasks/${taskId}/output`, {
      worker_id: workerId,
      output,
      timestamp,
    })
  }
  const result = 'hello from the stand-in'
  await send('PUT', `/v1/opencode/tasks/${taskId}/status`, {
    status: 'completed',
    result,
    worker_id: workerId,
  })
  await send('POST', '/v1/worker/tasks/release', { task_id: taskId }, { 'X-Worker-ID': workerId })
}

describe("the original CodeTether's worker", () => {
  test('registers, is pushed a task, streams its lines once each and completes it', async () => {
    const global = await registerCodebase('global', home)
    assert.equal(
      global.codebase.id,
      `global-${workerId}`,
      "its home is the worker's global codebase",
    )
    await send('POST', '/v1/opencode/workers/register', {
      worker_id: workerId,
      name: 'orig',
      capabilities: ['opencode', 'build', 'deploy', 'test'],
      hostname: 'devbox',
      models: [
        {
          id: 'openai/gpt-4o',
          name: 'gpt-4o',
          provider: 'openai',
          provider_id: 'openai',
          capabilities: { reasoning: false, attachment: false, tool_call: true },
        },
      ],
      global_codebase_id: global.codebase.id,
      codebases: [global.codebase.id, 'global'],
    })
    const project = await registerCodebase('demo', `${home}/demo`)
    assert.deepEqual(await send('GET', `/v1/opencode/api-keys/sync?worker_id=${workerId}`), {
      auth: {},
      providers: {},
    })
    // aiohttp's bare POST: Content-Length 0 with a type of its own.
    const heartbeat = await fetch(
      new URL(`/v1/opencode/workers/${workerId}/heartbeat`, stack().url),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '0' },
      },
    )
    assert.equal(heartbeat.status, 200)

    const abort = new AbortController()
    const stream = await fetch(
      new URL(`/v1/worker/tasks/stream?worker_id=${workerId}&agent_name=orig`, stack().url),
      {
        headers: {
          Accept: 'text/event-stream',
          'X-Codebases': `${project.codebase.id},global`,
          'X-Capabilities': 'opencode,build,deploy,test',
        },
        signal: abort.signal,
      },
    )
    assert.equal(stream.status, 200)
    const { events, done: reading } = recordSse(stream)
    try {
      const lines = [
        '{"type":"step_start"}',
        '{"type":"text","part":{"text":"hello"}}',
        '{"type":"step_finish"}',
      ]
      for (const codebase of [project.codebase.id, 'global']) {
        const { id } = await createWorkspaceTask(codebase, { title: 'hi', prompt: 'say hello' })
        await until(`task ${id} pushed`, async () =>
          events.some((e) => e.event === 'task_available' && (e.data as { id: string }).id === id),
        )
        await runTask(id, lines)
        const task = await getTask(id)
        assert.deepEqual(
          [task.status, task.result, task.worker_id],
          ['completed', 'hello from the stand-in', workerId],
        )
        assert.deepEqual(await outputsOf(id), lines, 'each line stored once, in order')
      }
    } finally {
      abort.abort()
      await reading
    }
  })

  test('a task it lets go of at shutdown (a bare release while running) goes back to the queue', async () => {
    const { codebase } = await registerCodebase('demo', `${home}/demo`)
    const { id } = await createWorkspaceTask(codebase.id, { title: 'long', prompt: 'take long' })
    await send('POST', '/v1/worker/tasks/claim', { task_id: id }, { 'X-Worker-ID': workerId })
    await send('PUT', `/v1/opencode/tasks/${id}/status`, { status: 'running', worker_id: workerId })
    await send('POST', '/v1/worker/tasks/release', { task_id: id }, { 'X-Worker-ID': workerId })
    const task = await getTask(id)
    assert.deepEqual([task.status, task.worker_id], ['pending', null])
    await runTask(id, ['again'])
    assert.equal((await getTask(id)).status, 'completed', 'and runs again, whole')
  })
})
