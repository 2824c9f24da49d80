/**
 * The original CodeTether's README and DEVELOPMENT guide examples (upstream e88875f), each sent
 * as its `curl` or Python client sends it: `curl -d` without `-H` labels the body
 * `application/x-www-form-urlencoded`, `curl` follows no redirect, `httpx` reads SSE `data:`
 * lines. Hosts become this stack; placeholders (`{id}`, `task-123`) become real ids. Dev mode
 * needs no token, as the examples send none.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { readSse } from './a2a-helpers'
import { api, stack } from './helpers'
import { claim, output, register, release } from './queue-helpers'

const CURL = { 'User-Agent': 'curl/7.88.1', Accept: '*/*' }
const JSON_TYPE = { 'Content-Type': 'application/json' }
const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' } // curl -d's own

/** `curl [-X method] [-H …] [-d body] url`, as curl sends it. */
function curl(path: string, opts: { method?: string; headers?: object; data?: string } = {}) {
  const method = opts.method ?? (opts.data === undefined ? 'GET' : 'POST')
  const headers = { ...CURL, ...(opts.data === undefined ? {} : FORM_TYPE), ...opts.headers }
  return fetch(new URL(path, stack().url), { method, headers, body: opts.data, redirect: 'manual' })
}

async function ok(res: Response) {
  const text = await res.text()
  assert.equal(res.status, 200, `${res.url}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

const calculate = (id: string | undefined, text: string) =>
  JSON.stringify({
    jsonrpc: '2.0',
    ...(id === undefined ? {} : { id }),
    method: 'message/send',
    params: { message: { parts: [{ type: 'text', content: text }] } },
  })
const answerOf = (reply: { result: { status: { message: { parts: { text?: string }[] } } } }) =>
  reply.result.status.message.parts.map((p) => p.text ?? '').join(' ')

let worker: string
let codebase: string
let task: string

before(async () => {
  worker = await register()
  const added = await ok(
    await api('/v1/agent/codebases', {
      method: 'POST',
      json: { name: 'my-app', path: `/home/user/my-app-${worker}`, worker_id: worker },
    }),
  )
  codebase = added.codebase.id
  await ok(
    await api(`/v1/agent/codebases/${codebase}/sessions/sync`, {
      method: 'POST',
      json: { worker_id: worker, sessions: [{ id: `ses-${worker}`, title: 'refactor' }] },
    }),
  )
})

describe("the original README's examples", () => {
  test('discover the agent: GET /.well-known/agent-card.json', async () => {
    assert.equal((await ok(await curl('/.well-known/agent-card.json'))).name, 'CodeTether')
  })

  test('talk to your agents: message/send at / (no id), and at /a2a/jsonrpc', async () => {
    const data = calculate(undefined, 'Calculate 25 * 4')
    assert.match(answerOf(await ok(await curl('/', { headers: JSON_TYPE, data }))), /100/)
    const hosted = calculate('1', 'Calculate 25 * 4')
    const viaBinding = await curl('/a2a/jsonrpc', { headers: JSON_TYPE, data: hosted })
    assert.match(answerOf(await ok(viaBinding)), /100/)
  })

  test('register a codebase, trigger an agent task (curl -d, no -H), stream its events', async () => {
    const path = `/home/user/my-app-${crypto.randomUUID().slice(0, 8)}`
    const data = JSON.stringify({ name: 'my-app', path })
    const registered = await ok(await curl('/v1/opencode/codebases', { headers: JSON_TYPE, data }))
    assert.equal(registered.success, true)
    const trigger = JSON.stringify({ prompt: 'Add unit tests for the auth module', agent: 'build' })
    const triggered = await ok(
      await curl(`/v1/opencode/codebases/${codebase}/trigger`, { data: trigger }),
    )
    assert.equal(triggered.success, true)
    const abort = new AbortController()
    const events = await fetch(new URL(`/v1/opencode/codebases/${codebase}/events`, stack().url), {
      headers: CURL,
      signal: abort.signal,
    })
    assert.equal(events.status, 200)
    const [first] = await readSse(events, () => true)
    abort.abort()
    assert.equal(first?.event, 'connected')
  })

  test('troubleshooting: sessions and workers in the database, the health check', async () => {
    const sessions = await ok(await curl('/v1/opencode/database/sessions'))
    assert.ok(JSON.stringify(sessions).includes(`ses-${worker}`))
    const workers = await ok(await curl('/v1/agent/database/workers'))
    assert.ok(JSON.stringify(workers).includes(worker))
    assert.equal((await curl('/v1/health')).status, 200)
  })
})

describe("the original DEVELOPMENT guide's examples", () => {
  test('message/send (id "1"), tasks/get by taskId, message/stream; httpx the same', async () => {
    const sent = await ok(
      await curl('/', { headers: JSON_TYPE, data: calculate('1', 'Calculate 25 * 4') }),
    )
    assert.match(answerOf(sent), /100/)
    task = sent.result.id
    const get = JSON.stringify({
      jsonrpc: '2.0',
      id: '2',
      method: 'tasks/get',
      params: { taskId: task },
    })
    assert.equal((await ok(await curl('/', { headers: JSON_TYPE, data: get }))).result.id, task)
    const stream = JSON.stringify({
      jsonrpc: '2.0',
      id: '3',
      method: 'message/stream',
      params: { message: { parts: [{ type: 'text', content: 'Generate a report' }] } },
    })
    const streamed = await readSse(await curl('/', { headers: JSON_TYPE, data: stream }))
    assert.ok(streamed.length >= 2, JSON.stringify(streamed))
    // The httpx client: json= sets the type; the reply is the same.
    const viaHttpx = await fetch(stack().url, {
      method: 'POST',
      headers: { ...JSON_TYPE, 'User-Agent': 'python-httpx/0.27' },
      body: calculate('1', 'Calculate 10 + 5'),
    })
    assert.match(answerOf(await ok(viaHttpx)), /15/)
  })

  test("the runtime: status, sessions, a session's messages; agents; MCP tools", async () => {
    const status = await ok(await curl('/v1/opencode/runtime/status'))
    assert.deepEqual([status.available, typeof status.sessions], [true, 'number'])
    await ok(await curl('/v1/opencode/runtime/sessions?limit=10'))
    await ok(await curl(`/v1/opencode/runtime/sessions/ses-${worker}/messages`))
    await ok(await curl('/agents'))
    await ok(await curl('/mcp/v1/tools'))
  })

  test("a codebase's sessions, resume, the output stream (curl and the httpx reader)", async () => {
    const listed = await ok(await curl(`/v1/agent/codebases/${codebase}/sessions`))
    assert.ok(JSON.stringify(listed).includes(`ses-${worker}`))
    await ok(await curl(`/v1/agent/codebases/${codebase}/sessions/ses-${worker}/messages`))
    const resumed = await ok(
      await curl(`/v1/agent/codebases/${codebase}/sessions/ses-${worker}/resume`, {
        headers: JSON_TYPE,
        data: JSON.stringify({ prompt: 'Continue with the refactoring' }),
      }),
    )
    const id: string = resumed.task?.id ?? resumed.id
    assert.equal((await claim(worker, id)).status, 200)
    await output(worker, id, 'first line')
    await output(worker, id, 'second line')
    assert.equal((await release(worker, id)).status, 200)
    assert.equal((await curl(`/v1/agent/tasks/${id}/output/stream`)).status, 200)
    // The httpx reader: data lines, type output (content) until type done.
    const said: string[] = []
    for (const e of await readSse(
      await fetch(new URL(`/v1/opencode/tasks/${id}/output/stream`, stack().url)),
    )) {
      const data = e.data as { type: string; content?: string }
      if (data.type === 'output') said.push(data.content ?? '')
      if (data.type === 'done') break
    }
    assert.deepEqual(said, ['first line', 'second line'])
  })

  test('watch mode, a protected endpoint with a bearer token, and the documented wrong path', async () => {
    const watch = await curl(`/v1/opencode/codebases/${codebase}/watch/start`, {
      headers: JSON_TYPE,
      data: JSON.stringify({ interval: 5 }),
    })
    await ok(watch)
    const protectedList = await curl('/v1/opencode/codebases', {
      headers: { Authorization: `Bearer ${stack().devToken}` },
    })
    assert.ok(Array.isArray(await ok(protectedList)))
    assert.equal(
      (await curl('/v1/message/send', { method: 'POST' })).status,
      404,
      'as it says: wrong',
    )
  })
})
