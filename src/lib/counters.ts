import type { Redis } from '@upstash/redis/cloudflare'
import { log } from './log'

/**
 * Counters and histograms shared by every isolate: each isolate adds to its own deltas and
 * now and then flushes them into one Redis hash (one pipelined request), whose fields are
 * Prometheus series. A delta is lost only if an isolate dies holding it (seconds' worth).
 */
export const METRICS_KEY = 'metrics:series'
const FLUSH_MS = 2000
/** Seconds; Prometheus's default buckets, which suit request latency. */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const pending = new Map<string, number>()
let lastFlush = 0

const escapeLabel = (v: string) =>
  /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v
/** `a="x",b="y"`: the inside of a series' braces. */
const labelText = (labels: Record<string, string | number>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
    .join(',')

/** A series' name with its labels (already formatted by labelText). */
const named = (name: string, inside: string) => (inside ? `${name}{${inside}}` : name)

export function series(name: string, labels: Record<string, string | number> = {}) {
  return named(name, labelText(labels))
}

const add = (key: string, by: number) => pending.set(key, (pending.get(key) ?? 0) + by)

export function count(name: string, labels: Record<string, string | number> = {}, by = 1) {
  add(series(name, labels), by)
}

/** One histogram series' observations since the last flush. */
interface Observed {
  name: string
  inside: string
  /** Per bucket, how many observations were at most its bound. */
  within: number[]
  sum: number
  count: number
}

const observed = new Map<string, Observed>()

/**
 * A histogram observation: cumulative buckets, _sum and _count, as Prometheus expects. Kept
 * as numbers per series and spelled out as 14 fields only at flush: this runs on every
 * request, and building 14 keys a time was a tenth of what serving the agent card cost.
 */
export function observe(name: string, labels: Record<string, string>, seconds: number) {
  const inside = labelText(labels)
  const key = named(name, inside)
  let o = observed.get(key)
  if (!o) {
    o = { name, inside, within: BUCKETS.map(() => 0), sum: 0, count: 0 }
    observed.set(key, o)
  }
  const { within } = o
  for (let i = 0; i < BUCKETS.length; i++)
    if (seconds <= (BUCKETS[i] as number)) within[i] = (within[i] as number) + 1
  o.sum += seconds
  o.count++
}

/** The histograms' observations as the deltas of their series. */
function spellOut() {
  for (const { name, inside, within, sum, count: n } of observed.values()) {
    const bucket = `${name}_bucket{${inside}${inside ? ',' : ''}le=`
    // Every bucket is written (by 0 when no value fell in it): a histogram has all its bounds.
    for (const [i, le] of BUCKETS.entries()) add(`${bucket}"${le}"}`, within[i] as number)
    add(`${bucket}"+Inf"}`, n)
    add(named(`${name}_sum`, inside), sum)
    add(named(`${name}_count`, inside), n)
  }
  observed.clear()
}

/** Writes the deltas to Redis; on failure they are kept for the next try. */
export async function flush(redis: Redis): Promise<void> {
  spellOut()
  if (pending.size === 0) return
  const batch = [...pending]
  pending.clear()
  lastFlush = Date.now()
  try {
    const p = redis.pipeline()
    for (const [field, by] of batch) p.hincrbyfloat(METRICS_KEY, field, by)
    await p.exec()
  } catch (err) {
    for (const [field, by] of batch) pending.set(field, (pending.get(field) ?? 0) + by)
    log.warn('metrics flush failed', { error: err as Error })
  }
}

/** Whether this isolate's deltas are due to be flushed. */
export const flushDue = () =>
  (pending.size > 0 || observed.size > 0) && Date.now() - lastFlush >= FLUSH_MS
