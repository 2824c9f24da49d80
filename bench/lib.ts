/** Measuring helpers: sequential and concurrent request loops, percentiles, one table. */
import { Agent, request } from 'node:http'
import { cpuSnapshot, cpuSpent, formatCpu, perOp } from './cpu'

export interface Figure {
  name: string
  /** What this figure is compared with (its floor or peer), by name. */
  vs?: string
  /** Unit of p50/p99 when not milliseconds (e.g. MB). */
  unit?: string
  p50: number
  p99: number
  rps: number
  n: number
  /** CPU ms per operation by program, over the measured runs (see cpu.ts). */
  cpu?: Record<string, number>
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, i)] as number
}

/** A figure from latencies measured one by one (no throughput). */
export function latencyFigure(
  name: string,
  times: number[],
  opts: { vs?: string; unit?: string } = {},
): Figure {
  const sorted = [...times].sort((a, b) => a - b)
  return {
    name,
    ...opts,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    rps: Number.NaN,
    n: sorted.length,
  }
}

/**
 * Runs `op` `n` times after `warmup` runs, `concurrency` at a time, timing each from the
 * client side (workerd's own timers do not advance inside a request).
 */
export async function measure(
  name: string,
  op: () => Promise<void>,
  opts: { n: number; warmup: number; concurrency?: number; vs?: string },
): Promise<Figure> {
  const [figure] = await measureInTurns([{ name, op, vs: opts.vs }], { ...opts, turns: 1 })
  return figure as Figure
}

/**
 * Several operations measured in turns: a slice of each, then the next slice of each, so that
 * a busy spell on this shared machine falls on all of them alike and their ratio holds. Each
 * figure is over all its slices (n runs after `warmup`, `concurrency` at a time). Between
 * slices the machine settles for SETTLE_MS: what a server does after its replies (the
 * Worker's waitUntil work, its log lines drained by Miniflare) must not land on the next.
 */
const SETTLE_MS = 200

export async function measureInTurns(
  entries: { name: string; op: () => Promise<void>; vs?: string }[],
  opts: { n: number; warmup: number; concurrency?: number; turns: number },
): Promise<Figure[]> {
  for (const e of entries) for (let i = 0; i < opts.warmup; i++) await e.op()
  const runs = entries.map(() => ({
    times: [] as number[],
    seconds: 0,
    cpu: new Map<string, number>(),
  }))
  for (let turn = 0; turn < opts.turns; turn++) {
    const n =
      Math.round(((turn + 1) * opts.n) / opts.turns) - Math.round((turn * opts.n) / opts.turns)
    for (const [i, e] of entries.entries()) {
      if (entries.length > 1) await new Promise((r) => setTimeout(r, SETTLE_MS))
      const run = runs[i] as (typeof runs)[number]
      let next = 0
      const cpuBefore = cpuSnapshot()
      const started = performance.now()
      const lane = async () => {
        while (next++ < n) {
          const t = performance.now()
          await e.op()
          run.times.push(performance.now() - t)
        }
      }
      await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, lane))
      run.seconds += (performance.now() - started) / 1000
      for (const [program, ms] of cpuSpent(cpuBefore, cpuSnapshot())) {
        run.cpu.set(program, (run.cpu.get(program) ?? 0) + ms)
      }
    }
  }
  return entries.map((e, i) => {
    const { times, seconds, cpu } = runs[i] as (typeof runs)[number]
    times.sort((a, b) => a - b)
    return {
      name: e.name,
      vs: e.vs,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      rps: times.length / seconds,
      n: times.length,
      cpu: perOp(cpu, times.length),
    }
  })
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

/** GET with a keep-alive agent; fails on a status other than `expect`. */
export function httpGet(url: string, headers: Record<string, string> = {}, expect = 200) {
  const target = new URL(url)
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = request(target, { agent, headers }, (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === expect ? resolve() : reject(new Error(`${url}: ${res.statusCode}`)),
        )
      })
      req.on('error', reject)
      req.end()
    })
}

/** POST of a fixed JSON body; `check` may inspect the reply text. */
export function httpPost(
  url: string,
  body: () => string,
  headers: Record<string, string> = {},
  check?: (text: string) => void,
) {
  const target = new URL(url)
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        target,
        { agent, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => {
            if (res.statusCode !== 200)
              return reject(new Error(`${url}: ${res.statusCode} ${text.slice(0, 200)}`))
            try {
              check?.(text)
              resolve()
            } catch (err) {
              reject(err)
            }
          })
        },
      )
      req.on('error', reject)
      req.end(body())
    })
}

/** A v1.0 JSON-RPC SendMessage of one text part, a fresh message id each call. */
export const sendMessageBody = (text: string) => () =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'SendMessage',
    params: { message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] } },
  })

/** A figure against its peer or floor: the p50 ratio, and the throughput's when both have one. */
function versus(f: Figure, floor: Figure): string {
  const p50 = `${(f.p50 / floor.p50).toFixed(2)}× p50`
  const rps =
    Number.isNaN(f.rps) || Number.isNaN(floor.rps)
      ? ''
      : `, ${Math.round((100 * f.rps) / floor.rps)} % req/s`
  return `${p50}${rps} of ${floor.name}`
}

export function printTable(figures: Figure[]): void {
  const byName = new Map(figures.map((f) => [f.name, f]))
  const rows = figures.map((f) => {
    const floor = f.vs ? byName.get(f.vs) : undefined
    return {
      benchmark: f.name,
      'p50 ms': f.p50.toFixed(2) + (f.unit ? ` ${f.unit}` : ''),
      'p99 ms': f.p99.toFixed(2) + (f.unit ? ` ${f.unit}` : ''),
      'req/s': Number.isNaN(f.rps) ? '' : f.rps.toFixed(0),
      'vs floor': floor ? versus(f, floor) : '',
      'CPU ms/op': formatCpu(f.cpu),
    }
  })
  const cols = Object.keys(rows[0] ?? {}) as (keyof (typeof rows)[0])[]
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] as number)).join('  ')
  console.log(line(cols))
  console.log(line(width.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(cols.map((c) => r[c])))
}
