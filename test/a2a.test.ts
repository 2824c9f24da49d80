import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  AgentCard,
  type ListTasksRequest,
  type Task,
  TaskState,
  verifyAgentCardSignature,
} from '@a2a-js/sdk'
import type { Client } from '@a2a-js/sdk/client'
import { openTask, rpc, statusText, userMessage, v1Client, v03Client } from './a2a-helpers'
import { api, asTenant, connectAsApp, stack } from './helpers'

/** ListTasks with the request's defaults: every state, the first page. */
const list = (client: Client, params: Partial<ListTasksRequest>) =>
  client.listTasks({
    tenant: '',
    contextId: '',
    status: 0,
    pageSize: 50,
    pageToken: '',
    statusTimestampAfter: undefined,
    ...params,
  })

const send = (text: string, extra = {}) => ({
  tenant: '',
  message: userMessage(text, extra),
  configuration: undefined,
  metadata: undefined,
})

/** Three answered tasks in a fresh context (`add n and k`, n = 1..3), oldest first. */
async function threeTasks(client: Client, k: number) {
  const contextId = crypto.randomUUID()
  const ids: string[] = []
  for (const n of [1, 2, 3])
    ids.push(((await client.sendMessage(send(`add ${n} and ${k}`, { contextId }))) as Task).id)
  return { contextId, ids }
}

describe('A2A through the official client, v1.0', () => {
  test('SendMessage to the Calculator completes with the answer, persisted', async () => {
    const client = await v1Client()
    const result = (await client.sendMessage(send('Calculate 25 * 4'))) as Task
    assert.equal(result.status?.state, TaskState.TASK_STATE_COMPLETED)
    assert.match(statusText(result), /= 100$/)
    assert.equal(result.artifacts.length, 1)
    const again = await client.getTask({ tenant: '', id: result.id })
    assert.equal(again.status?.state, TaskState.TASK_STATE_COMPLETED)
    assert.deepEqual(
      again.history.map((m) => m.role),
      [1, 2],
    )
  })

  test('historyLength 0 and 1 trim the history; a negative one is refused', async () => {
    const client = await v1Client()
    const task = (await client.sendMessage(send('add 2 and 3'))) as Task
    assert.equal(
      (await client.getTask({ tenant: '', id: task.id, historyLength: 0 })).history.length,
      0,
    )
    const one = await client.getTask({ tenant: '', id: task.id, historyLength: 1 })
    assert.equal(one.history.length, 1)
    assert.equal(one.history[0]?.role, 2)
    const neg = await rpc('GetTask', { id: task.id, historyLength: -1 }, { 'A2A-Version': '1.0' })
    assert.equal(neg.body.error.code, -32602)
  })

  test('streams Task, working, artifact and completed, in order', async () => {
    const client = await v1Client()
    const kinds: string[] = []
    for await (const ev of client.sendMessageStream(
      send('Analyze: One fish. Two fish. Red fish!'),
    )) {
      kinds.push(
        ev.payload?.$case === 'statusUpdate'
          ? `status:${TaskState[ev.payload.value.status?.state ?? 0]}`
          : String(ev.payload?.$case),
      )
    }
    assert.deepEqual(kinds, [
      'task',
      'status:TASK_STATE_WORKING',
      'artifactUpdate',
      'status:TASK_STATE_COMPLETED',
    ])
  })

  test('ListTasks pages newest first with a token and filters by context', async () => {
    const client = await v1Client()
    const { contextId, ids } = await threeTasks(client, 1)
    const page1 = await list(client, { contextId, pageSize: 2 })
    assert.equal(page1.totalSize, 3)
    assert.equal(page1.tasks.length, 2)
    assert.ok(page1.nextPageToken)
    const page2 = await list(client, {
      contextId,
      pageSize: 2,
      pageToken: page1.nextPageToken ?? '',
    })
    assert.equal(page2.nextPageToken, '')
    assert.deepEqual([...page1.tasks, ...page2.tasks].map((t) => t.id).sort(), [...ids].sort())
    assert.equal(page1.tasks[0]?.artifacts.length, 0, 'artifacts only when asked for')
    assert.equal(page1.tasks[0]?.history.length, 2, 'the question and the answer')
    const shown = await list(client, {
      contextId,
      pageSize: 1,
      includeArtifacts: true,
      historyLength: 0,
    })
    const [newest] = shown.tasks
    assert.equal(newest?.id, page1.tasks[0]?.id)
    assert.match(JSON.stringify(newest?.artifacts), /4/, 'add 3 and 1: its artifact says 4')
    assert.equal(newest?.history.length, 0, 'historyLength 0: no history')
    assert.equal(newest?.status?.state, TaskState.TASK_STATE_COMPLETED)
    assert.equal(newest?.contextId, contextId)
    const none = await list(client, { contextId: crypto.randomUUID(), pageSize: 2 })
    assert.deepEqual([none.tasks, none.totalSize, none.nextPageToken], [[], 0, ''])
  })

  test('ListTasks pages through tasks whose status changed within one millisecond', async () => {
    // Postgres keeps microseconds, a JavaScript Date milliseconds: a page token made from a
    // Date skipped the tasks of its last row's millisecond that came before that row.
    const client = await v1Client()
    const { contextId, ids } = await threeTasks(client, 2)
    const app = await connectAsApp()
    try {
      await asTenant(app, stack().tenantId, async () => {
        for (const [i, id] of ids.entries())
          await app.query(
            `update tasks set status_at = '2026-01-01 00:00:00.123+00'::timestamptz
               + make_interval(secs => $2) where id = $1`,
            [id, i / 10_000],
          )
      })
    } finally {
      await app.end()
    }
    const seen: string[] = []
    let pageToken = ''
    do {
      const page = await list(client, { contextId, pageSize: 1, pageToken })
      seen.push(...page.tasks.map((t) => t.id))
      pageToken = page.nextPageToken
    } while (pageToken && seen.length < 5)
    assert.deepEqual(seen, [...ids].reverse())
    // A token as issued before (ISO time, milliseconds) still reads: everything older.
    const legacy = await list(client, {
      contextId,
      pageSize: 5,
      pageToken: btoa(JSON.stringify(['2100-01-01T00:00:00.000Z', ''])),
    })
    assert.deepEqual(
      legacy.tasks.map((t) => t.id),
      [...ids].reverse(),
    )
  })

  test('cancel: an open task is canceled, again is fine, a finished one is not cancelable', async () => {
    const client = await v1Client()
    const open = await openTask()
    const canceled = await client.cancelTask({ tenant: '', id: open.id, metadata: undefined })
    assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED)
    const twice = await client.cancelTask({ tenant: '', id: open.id, metadata: undefined })
    assert.equal(twice.status?.state, TaskState.TASK_STATE_CANCELED)
    const done = (await client.sendMessage(send('add 1 and 1'))) as Task
    await assert.rejects(
      client.cancelTask({ tenant: '', id: done.id, metadata: undefined }),
      /cannot be cancell?ed/,
    )
  })

  test('a later message in the same context builds on the earlier answer', async () => {
    const client = await v1Client()
    const contextId = crypto.randomUUID()
    await client.sendMessage(send('add 2 and 3', { contextId }))
    const next = (await client.sendMessage(send('multiply that by 10', { contextId }))) as Task
    assert.equal(statusText(next), '5 * 10 = 50')
    const elsewhere = (await client.sendMessage(send('multiply that by 10'))) as Task
    assert.equal(elsewhere.status?.state, TaskState.TASK_STATE_COMPLETED)
    assert.notEqual(statusText(elsewhere), '5 * 10 = 50', 'another context does not see it')
  })

  test('the Memory agent stores durably and later messages in a context see earlier ones', async () => {
    const client = await v1Client()
    const key = `colour-${crypto.randomUUID().slice(0, 6)}`
    const stored = (await client.sendMessage(send(`remember teal as ${key}`))) as Task
    assert.equal(stored.status?.state, TaskState.TASK_STATE_COMPLETED)
    const recalled = (await client.sendMessage(send(`recall ${key}`))) as Task
    assert.equal(statusText(recalled), `${key}: teal`)
    const missing = (await client.sendMessage(send('recall no-such-key-anywhere'))) as Task
    assert.equal(missing.status?.state, TaskState.TASK_STATE_FAILED)
  })
})

describe('A2A through the official client, v0.3', () => {
  test('message/send, tasks/get and tasks/cancel', async () => {
    const client = await v03Client()
    const task = (await client.sendMessage(send('What is 2 to the power of 10?'))) as Task
    assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED)
    assert.match(statusText(task), /= 1024$/)
    assert.equal((await client.getTask({ tenant: '', id: task.id })).id, task.id)
    const open = await openTask()
    const canceled = await client.cancelTask({ tenant: '', id: open.id, metadata: undefined })
    assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED)
  })

  test('message/stream ends with a final completed status', async () => {
    const client = await v03Client()
    const states: string[] = []
    for await (const ev of client.sendMessageStream(send('square root of 144'))) {
      if (ev.payload?.$case === 'statusUpdate')
        states.push(String(TaskState[ev.payload.value.status?.state ?? 0]))
    }
    assert.deepEqual(states, ['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED'])
  })
})

describe('seed compatibility and the agent card', () => {
  test("the seed's request works unchanged and answers in the spec's shapes", async () => {
    const res = await api('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":"1","method":"message/send","params":{"message":{"parts":[{"type":"text","content":"Calculate 25 * 4"}]}}}',
    })
    const body = await res.json()
    assert.equal(body.id, '1')
    assert.equal(body.result.kind, 'task')
    assert.equal(body.result.status.state, 'completed')
    const text = body.result.status.message.parts.find(
      (p: { kind: string }) => p.kind === 'text',
    ).text
    assert.match(text, /100/)
    assert.equal(body.result.history[0].parts[0].kind, 'text')
    assert.equal(body.result.history[0].parts[0].text, 'Calculate 25 * 4')
  })

  test("upstream's tasks/get and tasks/cancel with {taskId} work as with {id}", async () => {
    const send = async () => {
      const res = await api('/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":"1","method":"message/send","params":{"message":{"parts":[{"type":"text","content":"Calculate 2 + 2"}]}}}',
      })
      return (await res.json()).result.id as string
    }
    const id = await send()
    const got = await api('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: '2',
        method: 'tasks/get',
        params: { taskId: id },
      }),
    })
    const task = (await got.json()).result
    assert.deepEqual([task.id, task.status.state], [id, 'completed'])
    // A finished task cannot be cancelled: the answer names this task, so the alias reached it.
    const cancel = await rpc('tasks/cancel', { taskId: await send() })
    assert.equal(cancel.body.error.code, -32002)
    // Both given: id wins, as the spec names it.
    const both = await rpc('tasks/get', { id, taskId: 'nope' })
    assert.equal(both.body.result.id, id)
  })

  test('a message no agent handles gets a useful answer, not an echo', async () => {
    const { body } = await rpc('message/send', {
      message: { parts: [{ kind: 'text', text: 'good morning' }], messageId: 'x', role: 'user' },
    })
    const text: string = body.result.status.message.parts[0].text
    assert.doesNotMatch(text, /^Echo/)
    assert.match(text, /Calculator/)
  })

  test('division by zero is a failed task with a clear answer', async () => {
    const { body } = await rpc('message/send', {
      message: { parts: [{ kind: 'text', text: 'divide 10 by 0' }], messageId: 'x', role: 'user' },
    })
    assert.equal(body.result.status.state, 'failed')
    assert.match(body.result.status.message.parts[0].text, /Division by zero/)
  })

  test("the card is v1.0 unless v0.3 is asked for, by A2A-Version or at v0.2's path", async () => {
    const card = (headers: Record<string, string> = {}, path = '/.well-known/agent-card.json') =>
      api(path, { token: null, headers })
    const v1 = await (await card()).json()
    assert.equal(v1.url, undefined, 'no v0.3 field in the v1.0 card')
    assert.deepEqual(await (await card({ 'A2A-Version': '1.0' })).json(), v1)
    const interfaces = v1.supportedInterfaces.map(
      (i: { protocolBinding: string; protocolVersion: string; url: string }) =>
        `${i.protocolBinding} ${i.protocolVersion} ${new URL(i.url).pathname}`,
    )
    assert.deepEqual(interfaces, ['JSONRPC 1.0 /', 'HTTP+JSON 1.0 /a2a/rest', 'JSONRPC 0.3 /'])
    assert.equal(v1.capabilities.streaming, true)
    assert.deepEqual(
      v1.skills.map((s: { id: string }) => s.id),
      [
        'calculator',
        'analysis',
        'memory',
        'media',
        'coordinator',
        'agent_discovery',
        'shopping',
        'auditor',
      ],
    )
    for (const legacy of [
      await (await card({ 'A2A-Version': '0.3' })).json(),
      await (await card({}, '/.well-known/agent.json')).json(),
    ]) {
      assert.equal(legacy.protocolVersion, '0.3.0')
      assert.equal(legacy.url, `${stack().url}/`)
      assert.equal(legacy.preferredTransport, 'JSONRPC')
    }
    const unknown = await card({ 'A2A-Version': '9.9' })
    assert.equal(unknown.status, 400)
    assert.equal((await unknown.json()).error.details[0].reason, 'VERSION_NOT_SUPPORTED')
  })

  test('the card carries caching headers and answers a conditional GET with 304', async () => {
    const first = await api('/.well-known/agent-card.json', { token: null })
    const etag = first.headers.get('etag') ?? ''
    const modified = first.headers.get('last-modified') ?? ''
    assert.match(first.headers.get('cache-control') ?? '', /max-age=\d+/)
    assert.ok(Date.parse(modified) <= Date.now(), modified)
    const again = await api('/.well-known/agent-card.json', { token: null })
    assert.equal(again.headers.get('etag'), etag, 'the same card, the same ETag (signed once)')
    assert.equal(await again.text(), await first.text())
    const conditions: Record<string, string>[] = [
      { 'If-None-Match': etag },
      { 'If-Modified-Since': modified },
    ]
    for (const headers of conditions) {
      const cached = await api('/.well-known/agent-card.json', { token: null, headers })
      assert.equal(cached.status, 304, JSON.stringify(headers))
    }
    const stale = await api('/.well-known/agent-card.json', {
      token: null,
      headers: { 'If-None-Match': '"other"' },
    })
    assert.equal(stale.status, 200)
    const v03 = await api('/.well-known/agent.json', { token: null })
    assert.notEqual(v03.headers.get('etag'), etag, 'each shape its own ETag')
  })

  test('the card is signed (JWS) and verifies with the published key; a changed card does not', async () => {
    const json = await (
      await api('/.well-known/agent-card.json', { token: null, headers: { 'A2A-Version': '1.0' } })
    ).json()
    assert.equal(json.signatures.length, 1)
    const jwks = await (await api('/.well-known/jwks.json', { token: null })).json()
    assert.equal(jwks.keys[0].d, undefined, 'no private part published')
    const verify = verifyAgentCardSignature(async (kid) =>
      jwks.keys.find((k: { kid: string }) => k.kid === kid),
    )
    await verify(AgentCard.fromJSON(json))
    await assert.rejects(verify(AgentCard.fromJSON({ ...json, description: 'tampered' })))
    const legacy = await (await api('/.well-known/agent-card.json', { token: null })).json()
    assert.equal(legacy.signatures[0].protected, json.signatures[0].protected)
  })

  test("the extended card, for authenticated callers, adds the tenant's worker fleet", async () => {
    const app = await connectAsApp()
    const online = `fleet-${crypto.randomUUID().slice(0, 6)}`
    try {
      await asTenant(app, stack().tenantId, async () => {
        await app.query(
          `insert into workers (tenant_id, id, name, agents, models) values ($1, $2, 'w', $3, $4), ($1, $5, 'old', '["ghost"]', '[]')`,
          [
            stack().tenantId,
            online,
            JSON.stringify(['claude', { name: 'codex', description: 'Codex CLI' }]),
            JSON.stringify(['anthropic:claude-sonnet']),
            `${online}-off`,
          ],
        )
        await app.query(`update workers set status = 'offline' where id = $1`, [`${online}-off`])
      })
    } finally {
      await app.end()
    }
    const { body } = await rpc('GetExtendedAgentCard', {}, { 'A2A-Version': '1.0' })
    const ids = body.result.skills.map((s: { id: string }) => s.id)
    for (const id of ['calculator', 'agent:claude', 'agent:codex', 'model:anthropic:claude-sonnet'])
      assert.ok(ids.includes(id), id)
    assert.ok(!ids.includes('agent:ghost'), 'offline workers are not the fleet')
    const publicCard = await (
      await api('/.well-known/agent-card.json', { token: null, headers: { 'A2A-Version': '1.0' } })
    ).json()
    assert.ok(
      !publicCard.skills.some((s: { id: string }) => s.id.startsWith('agent:')),
      'the public card shows no fleet',
    )
  })
})
