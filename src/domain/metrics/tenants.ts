import { sql } from 'drizzle-orm'
import { series } from '../../lib/counters'
import type { Database } from '../../storage/postgres/client'
import { taskStatuses } from '../../storage/postgres/statuses'
import { tenantQuery } from '../../storage/postgres/tenant'
import { ONLINE_WINDOW_SECONDS } from '../queue/workers'

/** Per-tenant gauges, beside the platform's (`codetether_tenant_*`, labelled `tenant`). */
export const TENANT_FAMILIES = {
  codetether_tenant_tasks: 'Tasks by state, per tenant',
  codetether_tenant_queue_depth: 'Tasks waiting for a worker, per tenant',
  codetether_tenant_queue_oldest_pending_seconds: 'Age of the oldest waiting task, per tenant',
  codetether_tenant_workers_online: 'Workers seen within the online window, per tenant',
  codetether_tenant_cron_runs: 'Cron runs recorded, by status, per tenant',
} as const

/** app.tenant_metrics (migration 0016): rows per tenant, limited by RLS or not at all. */
interface TenantRows {
  tasks: { tenant_id: string; status: string; n: number }[]
  oldest_pending: { tenant_id: string; seconds: number }[]
  workers_online: { tenant_id: string; n: number }[]
  cron_runs: { tenant_id: string; status: string; n: number }[]
}

/** Whose series: one tenant's (through RLS), or every tenant's (the operator). */
export type MetricsView = { tenantId: string } | 'platform'

async function rowsFor(db: Database, view: MetricsView): Promise<TenantRows> {
  if (view === 'platform') {
    const rows =
      await db.sql`select app.platform_tenant_metrics(${ONLINE_WINDOW_SECONDS}::int) as m`
    return (rows[0] as { m: TenantRows }).m
  }
  const { rows } = await tenantQuery({ db, tenantId: view.tenantId }, (db) =>
    db.execute(sql`select app.tenant_metrics(${ONLINE_WINDOW_SECONDS}::int) as m`),
  )
  return (rows[0] as { m: TenantRows }).m
}

/** The per-tenant series of `view`, as [series, value]. A tenant's own view is never empty. */
export async function tenantSeries(db: Database, view: MetricsView): Promise<[string, number][]> {
  const rows = await rowsFor(db, view)
  const tenants = new Set<string>(view === 'platform' ? [] : [view.tenantId])
  for (const list of Object.values(rows)) for (const r of list) tenants.add(r.tenant_id)
  const out: [string, number][] = []
  for (const tenant of [...tenants].sort()) {
    const mine = <T extends { tenant_id: string }>(list: T[]) =>
      list.filter((r) => r.tenant_id === tenant)
    const tasks = new Map(mine(rows.tasks).map((r) => [r.status, Number(r.n)]))
    for (const state of taskStatuses) {
      out.push([series('codetether_tenant_tasks', { tenant, state }), tasks.get(state) ?? 0])
    }
    out.push([series('codetether_tenant_queue_depth', { tenant }), tasks.get('submitted') ?? 0])
    out.push([
      series('codetether_tenant_queue_oldest_pending_seconds', { tenant }),
      Number(mine(rows.oldest_pending)[0]?.seconds ?? 0),
    ])
    out.push([
      series('codetether_tenant_workers_online', { tenant }),
      Number(mine(rows.workers_online)[0]?.n ?? 0),
    ])
    for (const r of mine(rows.cron_runs)) {
      out.push([series('codetether_tenant_cron_runs', { tenant, status: r.status }), Number(r.n)])
    }
  }
  return out
}
