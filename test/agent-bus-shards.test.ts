/**
 * The agent bus spread over several objects per tenant (BUS_SHARDS): asks answered across
 * them, events reaching subscribers on each, and the default of one object.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { shardOf } from '../src/lib/shard'
import { agentName, listen, post, register, run, send } from './bus-helpers'
import { stackVars, startTestWorker } from './helpers'
import { until } from './worker-helpers'

describe('a tenant whose agents span several bus objects', () => {
  const shards = Number(stackVars().BUS_SHARDS ?? 1)
  /** A fresh agent name served by the given shard of the tenant's bus. */
  const onShard = (role: string, shard: number) => {
    for (let i = 0; i < 1000; i++) {
      const name = agentName(`${role}${i}`)
      if (shardOf(name, shards) === shard) return name
    }
    throw new Error(`no name on shard ${shard} of ${shards}`)
  }

  test('asks are answered across shards: asker, answerer and waiting request apart', async () => {
    assert.ok(shards >= 4, 'the test stack spreads agents over four buses')
    const calculator = shardOf('calculator', shards)
    const asker = onShard('asker', (calculator + 1) % shards)
    const answerer = onShard('answerer', (calculator + 2) % shards)
    await register(asker)
    await register(answerer)
    const live = listen(answerer)
    try {
      await live.ready()
      // Each ask waits on the shard of its message's id: asked until one waited on another
      // shard than the asker's, where its reply is delivered.
      let crossed = false
      for (let i = 0; i < 10 && !crossed; i++) {
        const word = `ping ${i}`
        const asked = post<{ reply: { text: string; from: string } }>(
          `/v1/agents/${encodeURIComponent(answerer)}/ask`,
          { from: asker, text: word, timeout_ms: 20_000 },
        )
        const question = await until('the question', async () =>
          live.messages.find((m) => m.body.text === word),
        )
        assert.equal(question.from, asker)
        await send(asker, answerer, `re: ${word}`, { reply_to: question.id })
        const { reply } = await asked
        assert.equal(reply.text, `re: ${word}`)
        assert.equal(reply.from, answerer)
        crossed = shardOf(question.id, shards) !== shardOf(asker, shards)
      }
      assert.ok(crossed, 'a reply reached a request waiting on another shard')
    } finally {
      await live.close()
    }

    // A built-in agent on a third shard answers an ask from the first.
    const sum = await post<{ reply: { text: string } }>('/v1/agents/calculator/ask', {
      from: asker,
      text: 'add 2 and 3',
    })
    assert.match(sum.reply.text, /5/)
  })

  test('an event reaches subscribers on every shard, each once', async () => {
    const watchers = [1, 2, 3].map((k) => onShard(`watch${k}-`, k))
    const publisher = onShard('publisher', 0)
    await register(publisher)
    const streams: ReturnType<typeof listen>[] = []
    try {
      for (const w of watchers) {
        await register(w)
        await post(`/v1/agents/${encodeURIComponent(w)}/subscriptions`, {
          pattern: `span-${run}.*`,
        })
        const live = listen(w)
        streams.push(live)
        await live.ready()
      }
      const published = await post<{ recipients: string[] }>('/v1/agents/events', {
        from: publisher,
        topic: `span-${run}.done`,
        data: { n: 1 },
      })
      assert.deepEqual([...published.recipients].sort(), [...watchers].sort())
      await until('every watcher got it', async () => streams.every((s) => s.messages.length))
      await new Promise((r) => setTimeout(r, 300))
      for (const [i, s] of streams.entries()) {
        assert.deepEqual(
          s.messages.map((m) => [m.to, m.topic]),
          [[watchers[i], `span-${run}.done`]],
        )
      }
    } finally {
      await Promise.all(streams.map((s) => s.close()))
    }
  })

  test('with one bus object (the default), asks, replies and events work alike', async () => {
    const { worker, url } = await startTestWorker('bus-one', { ...stackVars(), BUS_SHARDS: '1' })
    const on = (path: string) => `${url}/v1/agents${path}`
    const asker = agentName('one-asker')
    const answerer = agentName('one-answerer')
    const live = listen(answerer, url)
    try {
      for (const name of [asker, answerer]) await post(on(''), { name })
      await post(on(`/${encodeURIComponent(answerer)}/subscriptions`), { pattern: `one-${run}.*` })
      await live.ready()
      const asked = post<{ reply: { text: string } }>(on(`/${encodeURIComponent(answerer)}/ask`), {
        from: asker,
        text: 'ping',
        timeout_ms: 20_000,
      })
      const question = await until('the question', async () =>
        live.messages.find((m) => m.body.text === 'ping'),
      )
      await post(on(`/${encodeURIComponent(asker)}/messages`), {
        from: answerer,
        text: 'pong',
        reply_to: question.id,
      })
      assert.equal((await asked).reply.text, 'pong')
      await post(on('/events'), { from: asker, topic: `one-${run}.done`, data: {} })
      await until('the event', async () => live.messages.some((m) => m.topic === `one-${run}.done`))
    } finally {
      await live.close()
      await worker.stop()
    }
  })
})
