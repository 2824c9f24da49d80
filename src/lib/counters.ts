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

/** A histogram observation: cumulative buckets, _sum and _count, as Prometheus expects. */
export function observe(name: string, labels: Record<string, string>, seconds: number) {
  // The labels are formatted once for all 14 series (this runs on every request).
  const inside = labelText(labels)
  const bucket = `${name}_bucket{${inside}${inside ? ',' : ''}le=`
  // Every bucket is written (by 0 when the value is above it): a histogram has all its bounds.
  for (const le of BUCKETS) add(`${bucket}"${le}"}`, seconds <= le ? 1 : 0)
  add(`${bucket}"+Inf"}`, 1)
  add(named(`${name}_sum`, inside), seconds)
  add(named(`${name}_count`, inside), 1)
}

/** Writes the deltas to Redis; on failure they are kept for the next try. */
export async function flush(redis: Redis): Promise<void> {
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
export const flushDue = () => pending.size > 0 && Date.now() - lastFlush >= FLUSH_MS
