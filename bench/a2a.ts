/**
 * A2A figures: official v1.0 JSON-RPC requests to the Worker (served without the dev proxy)
 * and to two @a2a-js/sdk peers on this machine, each in a process of its own: one keeping its
 * tasks in memory (the SDK's sample) and one in the SDK's DatabaseTaskStore on the stack's
 * Postgres (what a deployed a2a-js server runs). Ours is compared with the persisted peer; the in-memory one is the floor.
 * Every operation at 1 and 16 clients: SendMessage, the streamed first event, GetTask,
 * ListTasks, CancelTask and the agent card.
 */
import { request } from 'node:http'
import { freePort } from '../scripts/stack/ports'
import { spawnSdkPeer } from './a2a-peer'
import { type Figure, httpGet, httpPost, measureInTurns, sendMessageBody } from './lib'

interface A2aBench {
  /** The Worker's URL without the dev proxy, and its credentials. */
  direct: string
  auth: Record<string, string>
  /** A Postgres URL the persisted peer may create its table with. */
  ownerUrl: string
  opts: { n: number; warmup: number }
  run: (figure: Promise<Figure>) => Promise<void>
  cleanups: (() => unknown)[]
}

interface Target {
  name: string
  url: string
  headers: Record<string, string>
}

const V1 = { 'A2A-Version': '1.0' }
/** Slices each figure is measured in, alternating between the targets. */
const TURNS = 5
const OURS = 'worker direct'
const PEER = 'sdk + Postgres store'

const rpc = (method: string, params: unknown) => () =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })

const expect =
  (what: string, ...needles: string[]) =>
  (text: string) => {
    if (!needles.every((n) => text.includes(n)))
      throw new Error(`bad ${what}: ${text.slice(0, 200)}`)
  }

/** One SendMessage, answered with its task's id. */
async function sendOne(t: Target, text: string): Promise<string> {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...V1, ...t.headers },
    body: sendMessageBody(text)(),
  })
  // A v1.0 SendMessage result names its case: { task: {…} }.
  return ((await res.json()) as { result: { task: { id: string } } }).result.task.id
}

/** SendStreamingMessage until its first event has arrived; then the stream is let go. */
export function firstEvent(t: Target) {
  const target = new URL(t.url)
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...V1,
            ...t.headers,
          },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => {
            text += d
            if (!text.includes('\n\n')) return
            req.destroy()
            if (res.statusCode === 200 && text.includes('data:')) resolve()
            else reject(new Error(`stream: ${res.statusCode} ${text.slice(0, 200)}`))
          })
          res.on('end', () => reject(new Error(`stream ended early: ${text.slice(0, 200)}`)))
        },
      )
      req.on('error', (err) => {
        if (!req.destroyed) reject(err)
      })
      req.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'SendStreamingMessage',
          params: {
            message: {
              messageId: crypto.randomUUID(),
              role: 'ROLE_USER',
              parts: [{ text: 'Calculate 25 * 4' }],
            },
          },
        }),
      )
    })
}

/** Each operation: made ready for a target (tasks to read or cancel), then run n times. */
const operations: {
  name: string
  ready(t: Target, count: number): Promise<() => Promise<void>>
}[] = [
  {
    name: 'SendMessage',
    ready: async (t) =>
      httpPost(
        t.url,
        sendMessageBody('Calculate 25 * 4'),
        { ...V1, ...t.headers },
        expect('answer', '25 * 4 = 100', 'TASK_STATE_COMPLETED'),
      ),
  },
  { name: 'stream first event', ready: async (t) => firstEvent(t) },
  {
    name: 'GetTask',
    ready: async (t) => {
      const id = await sendOne(t, 'Calculate 25 * 4')
      const found = expect('task', id, 'TASK_STATE_COMPLETED')
      return httpPost(t.url, rpc('GetTask', { id }), { ...V1, ...t.headers }, found)
    },
  },
  {
    name: 'ListTasks',
    ready: async (t) =>
      httpPost(
        t.url,
        rpc('ListTasks', { pageSize: 10 }),
        { ...V1, ...t.headers },
        expect('list', '"tasks":[{', 'totalSize'),
      ),
  },
  {
    name: 'CancelTask',
    // Tasks waiting for their next message: canceled one per request.
    ready: async (t, count) => {
      const ids: string[] = []
      for (let i = 0; i < count; i++) {
        ids.push(await sendOne(t, 'wait for me'))
      }
      let next = 0
      return () =>
        httpPost(
          t.url,
          rpc('CancelTask', { id: ids[next++] }),
          { ...V1, ...t.headers },
          expect('cancel', 'TASK_STATE_CANCELED'),
        )()
    },
  },
  {
    name: 'agent card',
    ready: async (t) => httpGet(`${t.url}.well-known/agent-card.json`),
  },
]

/** Returns the persisted peer's URL: it serves until `b.cleanups` run. */
export async function a2aFigures(b: A2aBench): Promise<string> {
  // Each peer in its own process, as deployed, on ports of its own.
  const memoryPort = await freePort()
  const memory = await spawnSdkPeer(memoryPort)
  b.cleanups.unshift(() => memory.close())
  let persistedPort = await freePort()
  while (persistedPort === memoryPort) persistedPort = await freePort()
  const persisted = await spawnSdkPeer(persistedPort, b.ownerUrl)
  b.cleanups.unshift(() => persisted.close())

  const targets: Target[] = [
    { name: 'sdk sample (in-memory)', url: `http://127.0.0.1:${memoryPort}/`, headers: {} },
    { name: PEER, url: `http://127.0.0.1:${persistedPort}/`, headers: {} },
    { name: OURS, url: `${b.direct}/`, headers: b.auth },
  ]
  // Each operation on the three targets in turns: the ratios are what this table is for.
  for (const concurrency of [1, 16]) {
    const suffix = concurrency === 1 ? '' : ` ×${concurrency}`
    for (const op of operations) {
      const entries = []
      for (const t of targets) {
        entries.push({
          name: `${t.name}: ${op.name}${suffix}`,
          op: await op.ready(t, b.opts.n + b.opts.warmup),
          vs: t.name === OURS ? `${PEER}: ${op.name}${suffix}` : undefined,
        })
      }
      const figures = await measureInTurns(entries, { ...b.opts, concurrency, turns: TURNS })
      for (const f of figures) await b.run(Promise.resolve(f))
    }
  }
  return `http://127.0.0.1:${persistedPort}`
}
