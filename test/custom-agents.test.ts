/**
 * One agent definition (examples/agents/shopper.ts) built into the edge app and run as a
 * process with `codetether agent run`: identical answers over A2A, direct messages and MCP;
 * a killed process gets its undelivered messages on restart; subscriptions survive restarts;
 * a handler that throws or hangs fails its message and nothing else.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { type FakeMcp, startFakeMcp } from '../examples/shop-mcp-server'
import { readSse, type SseEvent, streamMessage, writesOf } from './a2a-helpers'
import { stackVars, startTestWorker } from './helpers'
import { CLI, until } from './worker-helpers'

const ROOT = join(import.meta.dirname, '..')
const run = Math.random().toString(36).slice(2, 8)
const tester = `tester:${run}`
let shop: FakeMcp
let server: Awaited<ReturnType<typeof startTestWorker>>
const processes: ChildProcess[] = []

/** `codetether agent run FILE` as its own process. */
function agentProcess(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [CLI, 'agent', 'run', join(ROOT, file), '--server', server.url, '--mcp', shop.url, ...args],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: 'ignore',
    },
  )
  processes.push(child)
  return child
}

async function call<T = Record<string, unknown>>(method: string, path: string, json?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  const text = await res.text()
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as T
}

const listed = async (name: string) =>
  (await call<{ name: string; online: boolean }[]>('GET', '/agents')).some(
    (a) => a.name === name && a.online,
  )

before(async () => {
  shop = await startFakeMcp()
  server = await startTestWorker('custom-agents', { ...stackVars(), MCP_SERVER_URLS: shop.url })
  await call('POST', '/v1/agents', { name: tester })
  agentProcess('examples/agents/shopper.ts', ['--name', 'shopper-remote'])
  await until('the remote shopper is on the bus', () => listed('shopper-remote'))
})

after(async () => {
  for (const p of processes) p.kill('SIGKILL')
  await server?.worker.stop()
  await shop?.close()
})

test('the same definition answers alike in the edge app and as a process: A2A, message, MCP', async () => {
  const viaA2a = async (skill: string) => {
    const r = await call<{
      result: { task: { status: { state: string; message: { parts: { text: string }[] } } } }
    }>('POST', '/', {
      jsonrpc: '2.0',
      id: 1,
      method: 'SendMessage',
      params: {
        message: {
          messageId: crypto.randomUUID(),
          role: 'ROLE_USER',
          parts: [{ text: 'price 3 apples' }],
        },
        metadata: { skill },
      },
    })
    assert.equal(r.result.task.status.state, 'TASK_STATE_COMPLETED', JSON.stringify(r))
    return r.result.task.status.message.parts[0]?.text
  }
  const viaMessage = async (name: string) =>
    (
      await call<{ reply: { text: string } }>('POST', `/v1/agents/${name}/ask`, {
        from: tester,
        text: 'price 3 apples',
      })
    ).reply.text
  const mcp = new Client({ name: 'test', version: '1.0.0' })
  await mcp.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url)))
  const viaMcp = async (name: string) => {
    const r = (await mcp.callTool({
      name: 'ask_agent',
      arguments: { agent_name: name, message: 'price 3 apples' },
    })) as unknown as {
      structuredContent: { reply: { text: string } }
    }
    return r.structuredContent.reply.text
  }
  try {
    const answers = [
      await viaA2a('shopping'),
      await viaA2a('shopper-remote'),
      await viaMessage('shopper'),
      await viaMessage('shopper-remote'),
      await viaMcp('shopper'),
      await viaMcp('shopper-remote'),
    ]
    assert.deepEqual(new Set(answers), new Set(['3 × apple cost 21 cents']), answers.join(' | '))
    assert.ok(shop.calls.filter((c) => c === 'lookup_price').length >= 6, 'both used the MCP tool')
    const card = await call<{ skills: { id: string }[] }>('GET', '/.well-known/agent-card.json')
    assert.ok(
      card.skills.some((s) => s.id === 'shopping'),
      'the built-in definition is on the card',
    )
  } finally {
    await mcp.close()
  }
})

test('a killed agent process gets its undelivered messages when it comes back', async () => {
  const file = 'examples/agents/shopper.ts'
  const name = `shopper-${run}`
  const first = agentProcess(file, ['--name', name])
  await until('it is on the bus', () => listed(name))
  first.kill('SIGKILL')
  await call('POST', `/v1/agents/${name}/messages`, { from: tester, text: 'price 2 melons' })
  agentProcess(file, ['--name', name])
  const reply = await until('the reply after the restart', async () => {
    const inbox = await call<{ from: string; body: { text: string } }[]>(
      'GET',
      `/v1/agents/${tester}/inbox`,
    )
    return inbox.find((m) => m.from === name)
  })
  assert.equal(reply.body.text, '2 × melon cost 24 cents')
})

test('subscriptions made in setup survive a restart; events published while away arrive', async () => {
  const env = { TESTER: tester }
  const first = agentProcess('test/fakes/agents/listener.ts', [], env)
  await until('the listener subscribed in its setup', async () => {
    const subs = await call<{ patterns: string[] }>('GET', '/v1/agents/listener/subscriptions')
    return subs.patterns.includes('agent.shopper.priced')
  })
  first.kill('SIGKILL')
  await call('POST', '/v1/agents/shopper/ask', { from: tester, text: 'price 1 pear' }) // publishes priced
  agentProcess('test/fakes/agents/listener.ts', [], env)
  await until('the listener heard the price', async () => {
    const inbox = await call<{ from: string; body: { text: string } }[]>(
      'GET',
      `/v1/agents/${tester}/inbox`,
    )
    return inbox.some((m) => m.from === 'listener' && m.body.text === 'heard 5')
  })
  const card = await call<{ result: { skills: { id: string }[] } }>('POST', '/', {
    jsonrpc: '2.0',
    id: 1,
    method: 'GetExtendedAgentCard',
    params: {},
  })
  assert.ok(
    card.result.skills.some((s) => s.id === 'listener'),
    "a process's skills are on the extended card",
  )
})

test("an edge agent's setup subscriptions reach its handler (the Auditor hears the Shopper)", async () => {
  const watcher = `watcher-${run}:1`
  await call('POST', '/v1/agents', { name: watcher })
  await call('POST', `/v1/agents/${watcher}/subscriptions`, { pattern: 'agent.auditor.noted' })
  await call('POST', '/v1/agents/shopper/ask', { from: tester, text: 'price 2 pears' })
  const noted = await until('the Auditor republished the price', async () => {
    const inbox = await call<{ topic: string; body: { cents: number; item: string } }[]>(
      'GET',
      `/v1/agents/${watcher}/inbox`,
    )
    return inbox.find((m) => m.topic === 'agent.auditor.noted' && m.body.item === 'pear')
  })
  assert.equal(noted.body.cents, 10)
})

test('a handler that throws or hangs fails that message only, without a stack trace', async () => {
  agentProcess('test/fakes/agents/faulty.ts', ['--timeout', '1000'])
  await until('faulty is on the bus', () => listed('faulty'))
  const ask = (text: string) =>
    call<{ reply: { text: string; body: { state: string } } }>('POST', '/v1/agents/faulty/ask', {
      from: tester,
      text,
    })
  const thrown = await ask('throw')
  assert.equal(thrown.reply.body.state, 'failed')
  assert.equal(thrown.reply.text, 'faulty failed: boom on purpose')
  const hung = await ask('hang')
  assert.equal(hung.reply.body.state, 'failed')
  assert.match(hung.reply.text, /did not answer within 1 s/)
  assert.equal((await ask('fine?')).reply.text, 'fine', 'the agent still works')
  assert.equal((await fetch(`${server.url}/health`)).status, 200)
})

test('a streamed message to an agent that takes its time gets its task before the answer', async () => {
  await until('faulty is on the bus', () => listed('faulty'))
  const res = await streamMessage(server.url, 'hang', { metadata: { skill: 'faulty' } })
  type Result = { task?: { id: string; status: { state: string } } }
  let taskId = ''
  let meanwhile: Promise<string> | undefined
  const events = await readSse(res, (e: SseEvent) => {
    const task = (e.data as { result: Result }).result.task
    if (!task) return false
    taskId = task.id
    assert.equal(task.status.state, 'TASK_STATE_SUBMITTED')
    // Asked while the agent still hangs (it is given up on after 1 s): not answered yet.
    meanwhile = call<{ result: { status: { state: string } } }>('POST', '/', {
      jsonrpc: '2.0',
      id: 2,
      method: 'GetTask',
      params: { id: taskId },
    }).then((r) => r.result.status.state)
    return false
  })
  assert.notEqual(await meanwhile, 'TASK_STATE_FAILED', 'the first event came before the answer')
  assert.match(JSON.stringify(events.at(-1)?.data), /TASK_STATE_FAILED/)
  assert.ok((await writesOf(taskId)) >= 2, 'the task was stored before its answer')
})
