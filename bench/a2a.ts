/**
 * A2A figures: official v1.0 JSON-RPC requests to the Worker (served without the dev proxy)
 * and to two @a2a-js/sdk peers on this machine, one keeping its tasks in memory (the SDK's
 * sample) and one in the SDK's DatabaseTaskStore on the stack's Postgres (what a deployed
 * a2a-js server runs). Ours is compared with the persisted peer; the in-memory one is the floor.
 */
import { freePort } from '../scripts/stack/ports'
import { sdkDatabaseStore, startSdkPeer } from './a2a-peer'
import { type Figure, httpPost, measure, sendMessageBody } from './lib'

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

const V1 = { 'A2A-Version': '1.0' }

const answered = (text: string) => {
  if (!text.includes('25 * 4 = 100') || !text.includes('TASK_STATE_COMPLETED'))
    throw new Error(`bad answer: ${text.slice(0, 200)}`)
}

/** A task made once for the GetTask figures; the same request then reads it each time. */
async function taskOn(url: string, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...V1, ...headers },
    body: sendMessageBody('Calculate 25 * 4')(),
  })
  // A v1.0 SendMessage result names its case: { task: {…} }.
  const id = ((await res.json()) as { result: { task: { id: string } } }).result.task.id
  const body = () => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id } })
  const found = (text: string) => {
    if (!text.includes(id) || !text.includes('TASK_STATE_COMPLETED'))
      throw new Error(`bad task: ${text.slice(0, 200)}`)
  }
  return { body, found }
}

export async function a2aFigures(b: A2aBench): Promise<void> {
  const memoryPort = await freePort()
  const memory = await startSdkPeer(memoryPort)
  b.cleanups.unshift(() => memory.close())
  const database = sdkDatabaseStore(b.ownerUrl)
  const persistedPort = await freePort()
  const persisted = await startSdkPeer(persistedPort, database.store)
  b.cleanups.unshift(
    () => persisted.close(),
    () => database.close(),
  )

  const targets = [
    { name: 'sdk sample (in-memory)', url: `http://127.0.0.1:${memoryPort}/`, headers: V1 },
    { name: 'sdk + Postgres store', url: `http://127.0.0.1:${persistedPort}/`, headers: V1 },
    { name: 'worker direct', url: `${b.direct}/`, headers: { ...V1, ...b.auth } },
  ] as const
  const peer = 'sdk + Postgres store'
  const send = sendMessageBody('Calculate 25 * 4')
  for (const concurrency of [1, 16]) {
    const suffix = concurrency === 1 ? '' : ` ×${concurrency}`
    for (const t of targets) {
      const name = `${t.name}: SendMessage${t.name === 'worker direct' ? ', persisted' : ''}`
      const vs = t.name === 'worker direct' ? `${peer}: SendMessage${suffix}` : undefined
      await b.run(
        measure(`${name}${suffix}`, httpPost(t.url, send, t.headers, answered), {
          ...b.opts,
          concurrency,
          vs,
        }),
      )
    }
    for (const t of targets) {
      const { body, found } = await taskOn(t.url, t.headers)
      const vs = t.name === 'worker direct' ? `${peer}: GetTask${suffix}` : undefined
      await b.run(
        measure(`${t.name}: GetTask${suffix}`, httpPost(t.url, body, t.headers, found), {
          ...b.opts,
          concurrency,
          vs,
        }),
      )
    }
  }
}
