/**
 * Two agents find each other, talk, and react to each other's events, through CodeTether's
 * agent bus (the seed's messaging demo). Run against `npm start`:
 *
 *   npx tsx examples/agent-messaging.ts
 *
 * CODETETHER_SERVER (default http://127.0.0.1:8787) and CODETETHER_TOKEN (if auth is on).
 */
const server = (process.env.CODETETHER_SERVER ?? 'http://127.0.0.1:8787').replace(/\/+$/, '')
const headers: Record<string, string> = { 'Content-Type': 'application/json' }
if (process.env.CODETETHER_TOKEN) headers.Authorization = `Bearer ${process.env.CODETETHER_TOKEN}`

interface Message {
  id: string
  from: string
  kind: 'direct' | 'event'
  topic: string | null
  reply_to: string | null
  body: { text?: string; [k: string]: unknown }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** An agent: registered, listening on its stream, acknowledging what it handled. */
async function agent(name: string, onMessage: (m: Message) => Promise<void>) {
  await call('POST', '/v1/agents', { name, description: `demo agent ${name}` })
  const abort = new AbortController()
  const res = await fetch(`${server}/v1/agents/${encodeURIComponent(name)}/stream`, {
    headers,
    signal: abort.signal,
  })
  const seen = new Set<string>()
  const reading = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (!/^event: message$/m.test(block) || !data) continue
        const m = JSON.parse(data) as Message
        if (seen.has(m.id)) continue // at-least-once: the same id may come again
        seen.add(m.id)
        await onMessage(m)
        await call('POST', `/v1/agents/${encodeURIComponent(name)}/inbox/ack`, { ids: [m.id] })
      }
    }
  })().catch(() => {})
  return {
    send: (to: string, text: string, replyTo?: string) =>
      call('POST', `/v1/agents/${encodeURIComponent(to)}/messages`, {
        from: name,
        text,
        reply_to: replyTo,
      }),
    publish: (topic: string, data: unknown) =>
      call('POST', '/v1/agents/events', { from: name, topic, data }),
    subscribe: (pattern: string) =>
      call('POST', `/v1/agents/${encodeURIComponent(name)}/subscriptions`, { pattern }),
    stop: async () => {
      abort.abort()
      await reading
    },
  }
}

const run = Math.random().toString(36).slice(2, 6)
let finish: () => void = () => {}
const finished = new Promise<void>((resolve, reject) => {
  finish = resolve
  setTimeout(() => reject(new Error('no event within 15 s')), 15_000).unref()
})

const reviewer = await agent(`reviewer:${run}`, async (m) => {
  if (m.kind === 'direct') {
    console.log(`reviewer <- ${m.from}: ${m.body.text}`)
    await reviewer.send(
      m.from,
      `Looks good. And 6 * 7 is worth checking with the calculator.`,
      m.id,
    )
  } else {
    console.log(`reviewer saw event ${m.topic}: ${JSON.stringify(m.body)}`)
    finish()
  }
})
await reviewer.subscribe(`agent.coder-${run}.*`)

const coder = await agent(`coder:${run}`, async (m) => {
  console.log(`coder <- ${m.from}: ${m.body.text}`)
  if (m.from.startsWith('reviewer')) await coder.send('calculator', 'multiply 6 by 7')
  if (m.from === 'calculator')
    await coder.publish(`agent.coder-${run}.completed`, { result: m.body.text })
})

const found = await call<{ name: string; role: string }[]>('GET', `/v1/agents?role=reviewer`)
const peer = found.find((a) => a.name === `reviewer:${run}`)
if (!peer) throw new Error('the reviewer was not discovered')
console.log(`coder discovered ${peer.name} by role ${peer.role}`)
await coder.send(peer.name, 'Please review my change.')

await finished
await coder.stop()
await reviewer.stop()
console.log('demo complete')

export {}
