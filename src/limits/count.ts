/**
 * Limits on how many rows of a kind a tenant has (cron jobs, bus agents), checked in the
 * transaction that adds one: locked per tenant and limit, inserted, counted, and undone when
 * over (app.assert_within, migration 0019). Exact under concurrency; no count read before.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { Database } from '../db/client'
import { type TenantDb, withTenant } from '../db/tenant'
import { sqlState } from '../lib/db-error'
import { type LimitName, overLimit } from './table'

/**
 * Runs `insert` (a drizzle insert … returning) with `name`'s bound of `max` rows in `table`;
 * answers its rows, or throws the limit's 429.
 */
export async function insertWithin<T>(
  db: Database,
  tenantId: string,
  limit: { name: LimitName; max: number; table: PgTable },
  insert: (tx: TenantDb) => PromiseLike<T> & { toSQL(): unknown },
): Promise<T> {
  const key = `${tenantId}:${limit.name}`
  try {
    const [, rows] = await withTenant(db, tenantId, (tx) =>
      tx.batch([
        tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`),
        // biome-ignore lint/suspicious/noExplicitAny: drizzle's batch item type is internal
        insert(tx) as any,
        tx.execute(
          sql`select app.assert_within(${limit.name}, (select count(*) from ${limit.table}), ${limit.max}::int)`,
        ),
      ]),
    )
    return rows as T
  } catch (err) {
    if (sqlState(err) === 'CT429') throw overLimit(limit.name, limit.max)
    throw err
  }
}

/**
 * insertWithin for an upsert (a bus agent registering again): a row already there keeps its
 * place whatever the limit is now (an admin lowering it does not lock out what exists); a new
 * one is admitted when the rows and it are within `max`. `exists` is the SQL condition "the
 * row is there"; `makeRoom`, when given, runs first and may delete rows that should give way
 * to a new one (it must itself do nothing when the row exists).
 */
export async function upsertWithin<T>(
  db: Database,
  tenantId: string,
  limit: { name: LimitName; max: number; table: PgTable; exists: SQL; makeRoom?: SQL },
  upsert: (tx: TenantDb) => PromiseLike<T> & { toSQL(): unknown },
): Promise<T> {
  const key = `${tenantId}:${limit.name}`
  const count = sql`case when ${limit.exists} then 0 else (select count(*) from ${limit.table}) + 1 end`
  try {
    const rows = await withTenant(db, tenantId, (tx) =>
      tx.batch([
        tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`),
        tx.execute(limit.makeRoom ?? sql`select 1`),
        tx.execute(sql`select app.assert_within(${limit.name}, ${count}, ${limit.max}::int)`),
        // biome-ignore lint/suspicious/noExplicitAny: drizzle's batch item type is internal
        upsert(tx) as any,
      ]),
    )
    return rows[3] as T
  } catch (err) {
    if (sqlState(err) === 'CT429') throw overLimit(limit.name, limit.max)
    throw err
  }
}
