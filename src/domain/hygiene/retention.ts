import { sql } from 'drizzle-orm'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

/** Rows deleted per statement, so one pass never holds a long lock. */
const BATCH = 5000

export interface Purged {
  output: number
  events: number
  /** Settled push deliveries (with their tries). */
  pushes: number
}

/**
 * Drops what a finished task no longer needs: its output lines after RETENTION_OUTPUT_DAYS,
 * its other events after RETENTION_EVENTS_DAYS. A task's last event (its final status) is
 * always kept, so a late subscriber or replay still ends with the outcome; the task row,
 * its result and artifacts stay. Settled push deliveries go with the events, by the time they
 * settled (a pending one is never dropped). 0 days keeps forever.
 */
export async function purgeExpired(scope: Scope): Promise<Purged> {
  const { RETENTION_OUTPUT_DAYS: outputDays, RETENTION_EVENTS_DAYS: eventsDays } = scope.config
  const purge = (days: number, kinds: 'output' | 'all') =>
    days === 0
      ? Promise.resolve(0)
      : tenantQuery(scope, (db) =>
          db.execute(sql`
            with doomed as (
              select e.task_id, e.seq from task_events e
                join tasks t on t.tenant_id = e.tenant_id and t.id = e.task_id
               where t.completed_at < now() - make_interval(days => ${days}::int)
                 and e.seq < t.last_seq
                 ${kinds === 'output' ? sql`and e.kind = 'output'` : sql``}
               limit ${BATCH})
            delete from task_events e using doomed d
             where e.task_id = d.task_id and e.seq = d.seq`),
        ).then((r) => r.rowCount ?? 0)
  const output = await purge(outputDays, 'output')
  const events = await purge(eventsDays, 'all')
  const pushes =
    eventsDays === 0
      ? 0
      : await tenantQuery(scope, (db) =>
          db.execute(sql`
            with doomed as (
              select task_id, config_id, seq from push_deliveries
               where settled_at < now() - make_interval(days => ${eventsDays}::int)
               limit ${BATCH})
            delete from push_deliveries p using doomed d
             where p.task_id = d.task_id and p.config_id = d.config_id and p.seq = d.seq`),
        ).then((r) => r.rowCount ?? 0)
  return { output, events, pushes }
}
