/** MCP over Streamable HTTP with the SDK's own client; upstream's legacy endpoints by raw HTTP. */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { api, createTenant, stack, stackVars, startTestWorker } from './helpers'
import { claim, output, register, release } from './queue-helpers'

// Closed at the end too: a test that fails before its close() must not leave a stream open,
// which would keep this file's process from ever exiting.
const clients: Client[] = []
after(() => Promise.all(clients.map((c) => c.close().catch(() => {}))))

async function connect(token: string | null = stack().devToken, base = stack().url) {
  const client = new Client({ name: 'codetether-test', version: '1.0.0' })
  clients.push(client)
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), {
    requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
  })
  await client.connect(transport)
  return client
}

type Result = {
  structuredContent?: Record<string, unknown>
  isError?: boolean
  content: { text?: string }[]
}
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as Result
// biome-ignore lint/suspicious/noExplicitAny: tool results are read field by field
const data = (r: Result) => r.structuredContent as Record<string, any>

describe('MCP server', () => {
  test('initialize and list: every tool, with schemas and descriptions', async () => {
    const client = await connect()
    assert.equal(client.getServerVersion()?.name, 'codetether')
    const { tools } = await client.listTools()
    const names = tools.map((t) => t.name)
    for (const n of [
      'send_message',
      'send_message_async',
      'send_to_agent',
      'create_task',
      'get_task',
      'list_tasks',
      'cancel_task',
      'get_task_updates',
      'get_messages',
      'discover_agents',
      'get_agent',
      'get_agent_card',
      'list_codebases',
      'get_codebase',
      'create_codebase',
      'delete_codebase',
      'set_active_codebase',
      'get_active_codebase',
      'list_models',
      'search_tools',
      'get_tool_schema',
      'echo',
      'register_agent',
      'refresh_agent_heartbeat',
      'send_agent_message',
      'ask_agent',
      'read_inbox',
      'ack_messages',
      'publish_event',
      'subscribe_events',
      'unsubscribe_events',
      'register_remote_agent',
      'delegate_to_agent',
    ])
      assert.ok(names.includes(n), `${n} is listed`)
    const create = tools.find((t) => t.name === 'create_task')
    assert.deepEqual(create?.inputSchema.required, ['title'])
    assert.ok(tools.every((t) => (t.description ?? '').length > 10))
    await client.close()
  })

  test('messages, tasks and codebases through the same domain as REST', async () => {
    const client = await connect()
    assert.deepEqual(data(await call(client, 'echo', { message: 'hi' })), { message: 'hi' })
    const answer = data(await call(client, 'send_message', { message: 'add 20 and 22' }))
    assert.equal(answer.answer, '20 + 22 = 42')
    const followUp = data(
      await call(client, 'send_message', {
        message: 'multiply that by 2',
        conversation_id: answer.conversation_id,
      }),
    )
    assert.equal(followUp.answer, '42 * 2 = 84')
    const convo = data(
      await call(client, 'get_messages', { conversation_id: answer.conversation_id }),
    )
    assert.ok(convo.messages.length >= 4)

    const task = data(
      await call(client, 'create_task', { title: 'Fix the build', description: 'make it green' }),
    )
    const rest = await (await api(`/v1/agent/tasks/${task.id}`)).json()
    assert.equal(rest.prompt, 'make it green')
    assert.equal(data(await call(client, 'get_task', { task_id: task.id })).status, 'pending')
    const listed = data(await call(client, 'list_tasks', { status: 'pending', limit: 200 }))
    assert.ok(listed.tasks.some((t: { id: string }) => t.id === task.id))
    assert.equal(data(await call(client, 'cancel_task', { task_id: task.id })).status, 'cancelled')
    assert.equal(data(await call(client, 'cancel_task', { task_id: task.id })).status, 'cancelled')

    const targeted = data(
      await call(client, 'send_to_agent', { agent_name: 'reviewer', message: 'look' }),
    )
    const row = await (await api(`/v1/agent/tasks/${targeted.task_id}`)).json()
    assert.equal(row.target_agent_name, 'reviewer')
    assert.equal(row.metadata.fallback, undefined)
    await api(`/v1/agent/tasks/${targeted.task_id}/cancel`, { method: 'POST' })
    // fallback "any": any worker may take it when none has the agent (routing.test.ts).
    const loose = data(
      await call(client, 'send_to_agent', {
        agent_name: 'reviewer',
        message: 'x',
        fallback: 'any',
      }),
    )
    const looseRow = await (await api(`/v1/agent/tasks/${loose.task_id}`)).json()
    assert.equal(looseRow.metadata.fallback, 'any')
    await api(`/v1/agent/tasks/${loose.task_id}/cancel`, { method: 'POST' })

    const worker = await register()
    const cb = data(
      await call(client, 'create_codebase', {
        name: 'mcp-cb',
        path: `/srv/mcp-${Date.now()}`,
        worker_id: worker,
      }),
    )
    const id = cb.codebase.id
    assert.equal(data(await call(client, 'get_codebase', { codebase_id: id })).name, 'mcp-cb')
    assert.ok(
      data(await call(client, 'list_codebases')).codebases.some((x: { id: string }) => x.id === id),
    )
    await call(client, 'set_active_codebase', { codebase_id: id })
    assert.equal(data(await call(client, 'get_active_codebase')).codebase.id, id)
    assert.equal(data(await call(client, 'delete_codebase', { codebase_id: id })).success, true)

    const card = data(await call(client, 'get_agent_card'))
    assert.equal(card.name, 'CodeTether')
    const agents = data(await call(client, 'discover_agents')).agents
    assert.ok(agents.some((a: { name: string }) => a.name === 'calculator'))
    assert.equal(
      data(await call(client, 'get_agent', { agent_name: 'calculator' })).kind,
      'builtin',
    )
    const found = data(
      await call(client, 'search_tools', { query: 'codebase', detail_level: 'name_only' }),
    )
    assert.ok(found.tools.includes('create_codebase') && !found.tools.includes('echo'))
    const schema = data(await call(client, 'get_tool_schema', { tool_name: 'get_task' }))
    assert.deepEqual(schema.inputSchema.required, ['task_id'])
    assert.ok(Array.isArray(data(await call(client, 'list_models')).models))
    await client.close()
  })

  test('tasks and codebases are resources: listed by template, read as the REST view', async () => {
    const client = await connect()
    const { resourceTemplates } = await client.listResourceTemplates()
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), [
      'codetether://codebases/{codebase_id}',
      'codetether://tasks/{task_id}',
    ])
    const task = data(await call(client, 'create_task', { title: 'as a resource' }))
    const { resources } = await client.listResources()
    assert.ok(resources.some((r) => r.uri === `codetether://tasks/${task.id}`))
    const read = await client.readResource({ uri: `codetether://tasks/${task.id}` })
    const body = JSON.parse(String((read.contents[0] as { text: string }).text))
    assert.equal(body.title, 'as a resource')
    assert.equal(body.status, 'pending')
    await assert.rejects(client.readResource({ uri: 'codetether://tasks/nope' }), /not found/)
    await call(client, 'cancel_task', { task_id: task.id })
    await client.close()
  })

  test('a long task followed to completion through get_task_updates', async () => {
    const client = await connect()
    const since = new Date().toISOString()
    const queued = data(await call(client, 'send_message_async', { message: 'build it' }))
    const worker = await register()
    const { attempt } = await (await claim(worker, queued.task_id)).json()
    await output(worker, queued.task_id, 'compiling', attempt)
    let state = data(await call(client, 'get_task_updates', { task_ids: [queued.task_id] }))
      .updates[0]
    assert.equal(state.status, 'running')
    await release(worker, queued.task_id, { result: 'built' })
    const changed = data(await call(client, 'get_task_updates', { since_timestamp: since })).updates
    state = changed.find((t: { id: string }) => t.id === queued.task_id)
    assert.equal(state.status, 'completed')
    assert.equal(state.result, 'built')
    await client.close()
  })

  test('bad input: a tool error naming the field; unknown tool: a protocol error; others’ tasks are not found', async () => {
    const client = await connect()
    const bad = await call(client, 'create_task', { title: 42 })
    assert.equal(bad.isError, true)
    assert.match(bad.content[0]?.text ?? '', /title/)
    const missing = await call(client, 'get_task', { task_id: 'no-such-task' })
    assert.equal(missing.isError, true)
    assert.match(missing.content[0]?.text ?? '', /not found/)
    await assert.rejects(
      client.callTool({ name: 'frobnicate', arguments: {} }),
      /-32602.*frobnicate/,
    )
    await client.close()
    await assert.rejects(connect('wrong-token'), /401|Unauthorized|Invalid/i)

    // Another tenant's principal (a static token of a second deployment on the same database).
    const owner = await connect()
    const mine = data(await call(owner, 'create_task', { title: 'private' }))
    await owner.close()
    const other = await startTestWorker('mcp-other-tenant', {
      ...stackVars(),
      AUTH_MODE: 'production',
      A2A_AUTH_TOKENS: 'other:other-token-789',
      DEFAULT_TENANT_ID: await createTenant(),
    })
    try {
      const outsider = await connect('other-token-789', other.url)
      const peek = await call(outsider, 'get_task', { task_id: mine.id })
      assert.equal(peek.isError, true)
      assert.match(peek.content[0]?.text ?? '', /not found/)
      assert.equal((await call(outsider, 'cancel_task', { task_id: mine.id })).isError, true)
      const theirs = data(await call(outsider, 'list_tasks', { limit: 200 }))
      assert.ok(!theirs.tasks.some((t: { id: string }) => t.id === mine.id))
      await outsider.close()
    } finally {
      await other.worker.stop()
      await api(`/v1/agent/tasks/${mine.id}/cancel`, { method: 'POST' })
    }
  })

  test('legacy endpoints: /mcp/v1/tools, /mcp/v1/rpc in plain JSON, a notification is 202', async () => {
    const list = await (await api('/mcp/v1/tools')).json()
    assert.ok(list.tools.some((t: { name: string }) => t.name === 'echo'))
    const rpc = (body: unknown) =>
      api('/mcp/v1/rpc', { method: 'POST', json: body, headers: { Accept: 'application/json' } })
    const res = await rpc({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'old' } },
    })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /application\/json/)
    const body = await res.json()
    assert.deepEqual(body.result.structuredContent, { message: 'old' })
    const listed = await (await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).json()
    assert.ok(listed.result.tools.length >= 20)
    const note = await api('/mcp/v1/message', {
      method: 'POST',
      json: { jsonrpc: '2.0', method: 'notifications/initialized' },
    })
    assert.equal(note.status, 202)
    const meta = await (await api('/.well-known/oauth-protected-resource', { token: null })).json()
    assert.equal(meta.resource, `${stack().url}/mcp`)
  })
})
