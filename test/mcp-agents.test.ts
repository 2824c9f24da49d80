/** The agent bus as MCP tools, with the SDK's own client; tools a viewer may not call are hidden. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startSdkPeer } from '../bench/a2a-peer'
import { freePort } from '../scripts/stack/ports'
import { api, stack } from './helpers'
import { until } from './worker-helpers'

async function connect(token: string) {
  const client = new Client({ name: 'codetether-test', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', stack().url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  )
  return client
}

type Result = {
  // biome-ignore lint/suspicious/noExplicitAny: tool results are read field by field
  structuredContent?: Record<string, any>
  isError?: boolean
  content: { text?: string }[]
}

test('register, discover, message, ask, inbox, ack, subscribe, publish: all as tools', async () => {
  const client = await connect(stack().devToken)
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = (await client.callTool({ name, arguments: args })) as Result
    assert.ok(!r.isError, `${name}: ${r.content[0]?.text}`)
    return r.structuredContent ?? {}
  }
  try {
    const run = Math.random().toString(36).slice(2, 8)
    const me = `mcp-${run}:1`
    const other = `mcp-${run}:2`
    await call('register_agent', {
      name: me,
      description: 'an MCP client',
      url: 'https://example.test/a',
    })
    await call('register_agent', { name: other, description: 'another' })
    assert.equal((await call('refresh_agent_heartbeat', { agent_name: me })).agent.name, me)
    const found = await call('discover_agents', {})
    assert.ok(found.agents.some((a: { name: string }) => a.name === other))
    assert.equal((await call('get_agent', { agent_name: me })).role, `mcp-${run}`)

    await call('subscribe_events', { agent_name: me, pattern: `mcp-${run}.#` })
    await call('send_agent_message', { to: me, from: other, message: 'hello over MCP' })
    await call('publish_event', { from: other, topic: `mcp-${run}.news`, data: { n: 1 } })
    const asked = await call('ask_agent', {
      agent_name: 'calculator',
      from: me,
      message: 'add 40 and 2',
    })
    assert.match(asked.reply.text, /42/)

    const { messages } = await call('read_inbox', { agent_name: me })
    const kinds = messages.map((m: { kind: string; from: string }) => `${m.kind}:${m.from}`)
    assert.deepEqual(kinds.slice(0, 2), [`direct:${other}`, `event:${other}`])
    assert.ok(kinds.includes('direct:calculator'))
    const acked = await call('ack_messages', {
      agent_name: me,
      ids: messages.map((m: { id: string }) => m.id),
    })
    assert.equal(acked.acked, messages.length)
    assert.deepEqual((await call('read_inbox', { agent_name: me })).messages, [])
    assert.deepEqual(
      (await call('unsubscribe_events', { agent_name: me, pattern: `mcp-${run}.#` })).patterns,
      [],
    )

    const port = await freePort()
    const peer = await startSdkPeer(port)
    try {
      const remote = await call('register_remote_agent', {
        url: `http://127.0.0.1:${port}`,
        name: `peer-${run}`,
      })
      assert.equal(remote.agent.kind, 'remote')
      const { task } = await call('delegate_to_agent', {
        agent_name: `peer-${run}`,
        message: 'Calculate 3 * 5',
      })
      await until('the delegated task completes', async () => {
        const t = await call('get_task', { task_id: task.id })
        return t.status === 'completed' && /15/.test(JSON.stringify(t))
      })
    } finally {
      await peer.close()
    }

    const notRemote = (await client.callTool({
      name: 'delegate_to_agent',
      arguments: { agent_name: other, message: 'x' },
    })) as Result
    assert.ok(notRemote.isError)
    assert.match(notRemote.content[0]?.text ?? '', /not a remote agent/)
  } finally {
    await client.close()
  }
})

test('a viewer key is not offered the tools that change anything', async () => {
  const res = await api('/v1/auth/api-keys', {
    method: 'POST',
    json: { name: 'mcp-viewer', role: 'viewer' },
  })
  const { key } = (await res.json()) as { key: string }
  const client = await connect(key)
  try {
    const names = (await client.listTools()).tools.map((t) => t.name)
    assert.ok(names.includes('discover_agents') && names.includes('get_task'))
    for (const hidden of [
      'register_agent',
      'send_agent_message',
      'create_task',
      'delete_codebase',
    ]) {
      assert.ok(!names.includes(hidden), `${hidden} is hidden from a viewer`)
    }
  } finally {
    await client.close()
  }
})
