import type { Redis } from '@upstash/redis/cloudflare'
import { flush, METRICS_KEY, series } from '../../lib/counters'
import type { Database } from '../../storage/postgres/client'
import { taskStatuses } from '../../storage/postgres/statuses'
import { ONLINE_WINDOW_SECONDS } from '../queue/workers'
import { type MetricsView, TENANT_FAMILIES, tenantSeries } from './tenants'

interface Family {
  help: string
  type: 'counter' | 'gauge' | 'histogram'
}

/** Every metric /metrics serves, for its HELP and TYPE lines. */
const FAMILIES: Record<string, Family> = {
  codetether_http_requests_total: {
    help: 'HTTP requests by route pattern, method and status',
    type: 'counter',
  },
  codetether_http_request_duration_seconds: { help: 'HTTP request latency', type: 'histogram' },
  codetether_push_deliveries_total: {
    help: 'Push notification deliveries by outcome',
    type: 'counter',
  },
  codetether_sse_streams_opened_total: { help: 'SSE streams opened, by kind', type: 'counter' },
  codetether_sse_streams_closed_total: { help: 'SSE streams closed, by kind', type: 'counter' },
  codetether_sse_subscribers: { help: 'SSE streams open now, by kind', type: 'gauge' },
  codetether_tasks: { help: 'Tasks by state, all tenants', type: 'gauge' },
  codetether_queue_depth: { help: 'Tasks waiting for a worker', type: 'gauge' },
  codetether_queue_oldest_pending_seconds: {
    help: 'Age of the oldest waiting task',
    type: 'gauge',
  },
  codetether_workers_online: { help: 'Workers seen within the online window', type: 'gauge' },
  codetether_cron_runs: { help: 'Cron runs recorded, by status', type: 'gauge' },
  ...Object.fromEntries(
    Object.entries(TENANT_FAMILIES).map(([name, help]) => [name, { help, type: 'gauge' }]),
  ),
}

/**
 * Series in the order Prometheus parsers expect: by family, then label set, and within a
 * histogram's label set its buckets by bound (+Inf last), then _sum and _count.
 */
function byLabels(a: string, b: string): number {
  const key = (s: string) => {
    const name = s.replace(/\{.*$/, '')
    const labels = (/\{(.*)\}$/.exec(s)?.[1] ?? '').replace(/,?le="[^"]+"/, '')
    const suffix = /_(bucket|sum|count)$/.exec(name)?.[1] ?? ''
    const le = /le="([^"]+)"/.exec(s)?.[1]
    return {
      family: familyOf(s),
      labels,
      rank: ['', 'bucket', 'sum', 'count'].indexOf(suffix),
      le: le === undefined ? -1 : le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
    }
  }
  const x = key(a)
  const y = key(b)
  return (
    x.family.localeCompare(y.family) ||
    x.labels.localeCompare(y.labels) ||
    x.rank - y.rank ||
    x.le - y.le
  )
}

const familyOf = (s: string) => s.replace(/\{.*$/, '').replace(/_(bucket|sum|count)$/, '')

interface Snapshot {
  tasks: Record<string, number>
  oldest_pending_seconds: number
  workers_online: number
  cron_runs: Record<string, number>
}

/**
 * The Prometheus text exposition for `view`: the operator's ('platform') has the shared
 * counters, the platform's state now and every tenant's series; a tenant's has its own
 * series only (request counters and platform totals are everyone's traffic).
 */
export async function renderMetrics(
  db: Database,
  redis: Redis,
  view: MetricsView,
): Promise<string> {
  const lines = new Map<string, string[]>()
  const add = (s: string, value: number) => {
    const family = familyOf(s)
    if (!lines.has(family)) lines.set(family, [])
    lines.get(family)?.push(`${s} ${Number.isInteger(value) ? value : value.toFixed(6)}`)
  }
  if (view === 'platform') await addPlatform(db, redis, add)
  for (const [s, v] of await tenantSeries(db, view)) add(s, v)
  const out: string[] = []
  for (const [name, family] of Object.entries(FAMILIES)) {
    const body = lines.get(name)
    if (!body) continue
    out.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`, ...body)
  }
  return `${out.join('\n')}\n`
}

/** The shared counters and the platform's state now: the operator's only. */
async function addPlatform(db: Database, redis: Redis, add: (s: string, value: number) => void) {
  await flush(redis)
  const [stored, result] = await Promise.all([
    redis.hgetall<Record<string, number | string>>(METRICS_KEY),
    db.sql`select app.platform_metrics(${ONLINE_WINDOW_SECONDS}::int) as m`,
  ])
  const snapshot = (result[0] as { m: Snapshot }).m
  const counters = Object.entries(stored ?? {}).map(([k, v]) => [k, Number(v)] as const)
  for (const [s, v] of counters.sort(([a], [b]) => byLabels(a, b))) add(s, v)
  // Open streams = opened - closed, per kind.
  for (const [s, opened] of counters.filter(([k]) =>
    k.startsWith('codetether_sse_streams_opened_total'),
  )) {
    const closed = Number(stored?.[s.replace('_opened_', '_closed_')] ?? 0)
    add(
      s.replace('codetether_sse_streams_opened_total', 'codetether_sse_subscribers'),
      Math.max(0, opened - closed),
    )
  }
  for (const state of taskStatuses)
    add(series('codetether_tasks', { state }), snapshot.tasks[state] ?? 0)
  add('codetether_queue_depth', snapshot.tasks.submitted ?? 0)
  add('codetether_queue_oldest_pending_seconds', Number(snapshot.oldest_pending_seconds))
  add('codetether_workers_online', snapshot.workers_online)
  for (const [status, n] of Object.entries(snapshot.cron_runs))
    add(series('codetether_cron_runs', { status }), n)
}
