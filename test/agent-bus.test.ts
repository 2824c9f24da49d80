/**
 * The agent bus over real HTTP and SSE: the registry, durable direct messages across a
 * disconnect, replies and conversations, wildcard subscriptions, and the built-in agents
 * answering messages.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { readSse } from './a2a-helpers'
import { ack, agentName, type BusMessage, listen, post, register, run, send } from './bus-helpers'
import { api, asTenant, connectAsOwner, stack, stackVars, startTestWorker } from './helpers'
import { until } from './worker-helpers'

describe('the registry', () => {
  test('agents register as role:instance, are discovered by role, and stale ones leave', async () => {
    const planner = agentName('planner')
    const coder = agentName('coder')
    await register(planner)
    await register(coder)
    const res = await api('/agents')
    assert.equal(res.status, 200, 'upstream answered 500 here')
    const all = (await res.json()) as { name: string; role: string; kind: string }[]
    assert.ok(all.some((a) => a.name === planner && a.role === `planner-${run}`))
    assert.ok(all.some((a) => a.name === 'calculator' && a.kind === 'builtin'))
    const coders = (await (await api(`/v1/agents?role=coder-${run}`)).json()) as { name: string }[]
    assert.deepEqual(
      coders.map((a) => a.name),
      [coder],
    )

    const owner = await connectAsOwner()
    await asTenant(owner, stack().tenantId, () =>
      owner.query(
        `update agents set last_seen_at = now() - interval '10 minutes' where name = $1`,
        [coder],
      ),
    ).finally(() => owner.end())
    const after = (await (await api('/v1/agents')).json()) as { name: string }[]
    assert.ok(!after.some((a) => a.name === coder), 'a stale agent leaves the listing')
    await post(`/v1/agents/${encodeURIComponent(coder)}/heartbeat`, {})
    const back = (await (await api('/v1/agents')).json()) as { name: string }[]
    assert.ok(
      back.some((a) => a.name === coder),
      'a heartbeat brings it back',
    )
    assert.equal((await api('/v1/agents/nobody:1/heartbeat', { method: 'POST' })).status, 404)
  })
})

describe('direct messages', () => {
  test('a receiver that drops out gets every message exactly once after acks, ids stable', async () => {
    const a = agentName('alpha')
    const b = agentName('beta')
    await register(a)
    await register(b)
    const first = listen(b)
    await first.ready()
    const m1 = (await send(b, a, 'one')).message
    const m2 = (await send(b, a, 'two')).message
    await until('two live messages', async () => first.messages.length >= 2)
    await ack(b, [m1.id]) // m2 is received but not acknowledged when b drops out
    await first.close()

    const m3 = (await send(b, a, 'three')).message
    const m4 = (await send(b, a, 'four')).message
    const second = listen(b)
    await second.ready()
    await until('the inbox replayed', async () => second.messages.length >= 3)
    const seen = new Map<string, string>()
    for (const m of [...first.messages, ...second.messages]) seen.set(m.id, m.body.text ?? '')
    assert.deepEqual([...seen.values()], ['one', 'two', 'three', 'four'])
    assert.deepEqual(
      second.messages.map((m) => m.id),
      [m2.id, m3.id, m4.id],
      'unacknowledged ones come again with the same id',
    )
    await ack(
      b,
      second.messages.map((m) => m.id),
    )
    await second.close()
    const inbox = (await (
      await api(`/v1/agents/${encodeURIComponent(b)}/inbox`)
    ).json()) as BusMessage[]
    assert.deepEqual(inbox, [], 'nothing is left once all are acknowledged')
  })

  test('replies carry reply_to and the conversation', async () => {
    const a = agentName('asker')
    const b = agentName('answerer')
    await register(a)
    await register(b)
    const question = (await send(b, a, 'ping?', { conversation_id: `conv-${run}` })).message
    await send(a, b, 'pong', { conversation_id: `conv-${run}`, reply_to: question.id })
    const inbox = (await (
      await api(`/v1/agents/${encodeURIComponent(a)}/inbox`)
    ).json()) as BusMessage[]
    assert.equal(inbox[0]?.reply_to, question.id)
    const conversation = (await (
      await api(`/v1/agents/conversations/conv-${run}`)
    ).json()) as BusMessage[]
    assert.deepEqual(
      conversation.map((m) => m.body.text),
      ['ping?', 'pong'],
    )
  })

  test('unknown agents and bad bodies are clear errors', async () => {
    assert.equal(
      (await api('/v1/agents/nobody:9/messages', { method: 'POST', json: { text: 'x' } })).status,
      404,
    )
    const empty = await api(`/v1/agents/calculator/messages`, { method: 'POST', json: {} })
    assert.equal(empty.status, 400)
    assert.match(await empty.text(), /body or text/)
  })
})

test('a message left unacknowledged on an open stream comes again, same id', async () => {
  const server = await startTestWorker('bus-redeliver', {
    ...stackVars(),
    AGENT_REDELIVER_SECONDS: '1',
  })
  try {
    const at = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}${path}`, { ...init, headers: { 'Content-Type': 'application/json' } })
    const name = agentName('slow')
    await at('/v1/agents', { method: 'POST', body: JSON.stringify({ name }) })
    const abort = new AbortController()
    const seen: { id: string; redelivered?: boolean }[] = []
    const reading = at(`/v1/agents/${encodeURIComponent(name)}/stream`, { signal: abort.signal })
      .then((res) =>
        readSse(res, (e) => {
          if (e.event === 'message') seen.push(e.data as { id: string; redelivered?: boolean })
          return false
        }),
      )
      .catch(() => [])
    await new Promise((r) => setTimeout(r, 300))
    await at(`/v1/agents/${encodeURIComponent(name)}/messages`, {
      method: 'POST',
      body: JSON.stringify({ from: 'x', text: 'ack me' }),
    })
    await until('the message comes again', async () => seen.length >= 2, 10_000)
    assert.equal(seen[0]?.id, seen[1]?.id)
    assert.equal(seen[1]?.redelivered, true)
    await at(`/v1/agents/${encodeURIComponent(name)}/inbox/ack`, {
      method: 'POST',
      body: JSON.stringify({ ids: [seen[0]?.id] }),
    })
    const count = seen.length
    await new Promise((r) => setTimeout(r, 2500))
    assert.equal(seen.length, count, 'an acknowledged message is not delivered again')
    abort.abort()
    await reading
  } finally {
    await server.worker.stop()
  }
})

describe('publish and subscribe', () => {
  test('wildcard subscriptions receive matching events only, until unsubscribed', async () => {
    const watcher = agentName('watcher')
    const worker = agentName('worker')
    await register(watcher)
    await register(worker)
    const sub = (pattern: string) =>
      post(`/v1/agents/${encodeURIComponent(watcher)}/subscriptions`, { pattern })
    await sub(`agent.*.completed`)
    await sub(`build-${run}.#`)
    const live = listen(watcher)
    await live.ready()
    const publish = (topic: string) =>
      post('/v1/agents/events', { from: worker, topic, data: { topic } })
    await publish(`agent.${run}.completed`)
    await publish(`agent.${run}.started`)
    await publish(`build-${run}.step.done`)
    await until('two events', async () => live.messages.length >= 2)
    await new Promise((r) => setTimeout(r, 300))
    assert.deepEqual(
      live.messages.map((m) => m.topic),
      [`agent.${run}.completed`, `build-${run}.step.done`],
    )
    const res = await api(
      `/v1/agents/${encodeURIComponent(watcher)}/subscriptions?pattern=${encodeURIComponent('agent.*.completed')}`,
      { method: 'DELETE' },
    )
    assert.equal(res.status, 200)
    const after = await publish(`agent.${run}.completed`)
    assert.ok(!(after.recipients as string[]).includes(watcher))
    await live.close()

    for (const [path, json] of [
      ['/v1/agents/events', { from: worker, topic: 'bad topic!' }],
      [`/v1/agents/${encodeURIComponent(watcher)}/subscriptions`, { pattern: 'a.#.b' }],
    ] as const) {
      const bad = await api(path, { method: 'POST', json })
      assert.equal(bad.status, 400, path)
    }
  })
})

describe('built-in agents on the bus', () => {
  test('the Calculator answers a direct message, an ask, and its topic', async () => {
    const me = agentName('user')
    await register(me)
    const asked = await post<{ reply: { text: string; from: string } }>(
      '/v1/agents/calculator/ask',
      {
        from: me,
        text: 'add 15 and 27',
      },
    )
    assert.match(asked.reply.text, /42/)
    assert.equal(asked.reply.from, 'calculator')

    const live = listen(me)
    await live.ready()
    const sent = (await send('Calculator Agent', me, 'multiply 6 by 7')).message
    await post('/v1/agents/events', {
      from: me,
      topic: 'message.to.calculator',
      text: 'subtract 2 from 10',
    })
    await until(
      'two answers',
      async () => live.messages.filter((m) => m.from === 'calculator').length >= 3,
    )
    const answers = live.messages
      .filter((m) => m.from === 'calculator')
      .map((m) => m.body.text ?? '')
    assert.ok(
      answers.some((t) => /42/.test(t)) && answers.some((t) => /8/.test(t)),
      answers.join(' | '),
    )
    assert.ok(live.messages.some((m) => m.reply_to === sent.id))
    await live.close()
  })
})
