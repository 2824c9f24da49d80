/**
 * Stream figures: time to the first event of SendStreamingMessage, and event-to-subscriber
 * latency (a change committed → every subscriber of the task has it) with 1 and 100
 * subscribers, all measured from the client side.
 */
import { request } from 'node:http'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import pg from 'pg'
import { type Figure, latencyFigure } from './lib'

interface Stream {
  /** Resolves when an SSE event whose data contains `needle` arrives. */
  waitFor(needle: string): Promise<number>
  close(): void
}

/**
 * An SSE stream: GET when there is no body, else POST of the body. `onEvent` sees every event
 * block with the moment it arrived.
 */
export function openStream(
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  onEvent?: (event: EventSourceMessage, at: number) => void,
): Promise<Stream & { firstAt: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const waiters: { needle: string; resolve: (t: number) => void }[] = []
    let first: (t: number) => void = () => {}
    const firstAt = new Promise<number>((r) => (first = r))
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.setEncoding('utf8')
        const parser = createParser({
          onEvent(e) {
            const now = performance.now()
            first(now)
            onEvent?.(e, now)
            for (const w of waiters.splice(0)) {
              if (e.data.includes(w.needle)) w.resolve(now)
              else waiters.push(w)
            }
          },
        })
        res.on('data', (chunk: string) => parser.feed(chunk))
        resolve({
          firstAt,
          waitFor: (needle) => new Promise((r) => waiters.push({ needle, resolve: r })),
          close: () => req.destroy(),
        })
      },
    )
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)))
    req.end(body)
  })
}

/**
 * One chunk to many SSE subscribers, `rounds` times: opens `subscribers` streams of `url`
 * (50 at a time), waits `settleMs`, then times each `emit(marker)` until every stream has the
 * marker. The latencies of every subscriber in every round.
 */
export async function fanoutLatencies(
  url: string,
  headers: Record<string, string>,
  opts: { subscribers: number; rounds: number; settleMs?: number },
  emit: (marker: string) => Promise<unknown>,
): Promise<number[]> {
  const streams: Stream[] = []
  for (let i = 0; i < opts.subscribers; i += 50) {
    const batch = Array.from({ length: Math.min(50, opts.subscribers - i) }, () =>
      openStream(url, undefined, headers),
    )
    streams.push(...(await Promise.all(batch)))
  }
  if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs))
  const latencies: number[] = []
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const marker = `chunk-${round}-${crypto.randomUUID()}`
      const arrivals = streams.map((s) => s.waitFor(marker))
      const t0 = performance.now()
      await emit(marker)
      for (const at of await Promise.all(arrivals)) latencies.push(at - t0)
    }
  } finally {
    for (const s of streams) s.close()
  }
  return latencies
}

const rpcBody = (method: string, params: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
const message = (text: string, extra = {}) => ({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }], ...extra },
})

async function openTask(
  appUrl: string,
  tenantId: string,
): Promise<{ id: string; contextId: string }> {
  const client = new pg.Client({ connectionString: appUrl })
  await client.connect()
  const id = crypto.randomUUID()
  const contextId = crypto.randomUUID()
  await client.query('begin')
  await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId])
  await client.query(
    `insert into tasks (tenant_id, id, context_id, status, last_seq) values ($1, $2, $3, 'input-required', 1)`,
    [tenantId, id, contextId],
  )
  await client.query(
    `insert into task_events (tenant_id, task_id, seq, kind, payload) values ($1, $2, 1, 'status', '{"status":{"state":"input-required"}}')`,
    [tenantId, id],
  )
  await client.query('commit')
  await client.end()
  return { id, contextId }
}

export async function streamFigures(
  base: string,
  headers: Record<string, string>,
  appUrl: string,
  tenantId: string,
  rounds: number,
): Promise<Figure[]> {
  const h = { ...headers, 'A2A-Version': '1.0' }
  const first: number[] = []
  const done: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    const s = await openStream(
      `${base}/`,
      rpcBody('SendStreamingMessage', message('Calculate 25 * 4')),
      h,
    )
    const completed = s.waitFor('TASK_STATE_COMPLETED')
    first.push((await s.firstAt) - t0)
    done.push((await completed) - t0)
    s.close()
  }
  const out = [
    latencyFigure('stream: SendStreamingMessage → first event', first),
    latencyFigure('stream: SendStreamingMessage → completed', done),
  ]
  for (const subscribers of [1, 100]) {
    const latencies: number[] = []
    for (let i = 0; i < Math.max(3, Math.floor(rounds / 10)); i++) {
      const task = await openTask(appUrl, tenantId)
      const streams = await Promise.all(
        Array.from({ length: subscribers }, () =>
          openStream(`${base}/`, rpcBody('SubscribeToTask', { id: task.id }), h),
        ),
      )
      await Promise.all(streams.map((s) => s.firstAt)) // every subscriber has the snapshot
      const arrivals = streams.map((s) => s.waitFor('TASK_STATE_COMPLETED'))
      const t0 = performance.now()
      await new Promise<void>((resolve, reject) => {
        const req = request(
          `${base}/`,
          { method: 'POST', headers: { 'content-type': 'application/json', ...h } },
          (res) => {
            res.resume()
            res.on('end', resolve)
          },
        )
        req.on('error', reject)
        req.end(
          rpcBody(
            'SendMessage',
            message('add 1 and 1', { taskId: task.id, contextId: task.contextId }),
          ),
        )
      })
      for (const at of await Promise.all(arrivals)) latencies.push(at - t0)
      for (const s of streams) s.close()
    }
    out.push(
      latencyFigure(
        `stream: change → ${subscribers} subscriber${subscribers > 1 ? 's' : ''} (each)`,
        latencies,
        { vs: subscribers > 1 ? 'stream: change → 1 subscriber (each)' : undefined },
      ),
    )
  }
  return out
}
