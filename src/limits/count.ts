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

type Statement = PromiseLike<unknown>

/**
 * `statements` in one transaction behind the tenant's lock on `limit`: their results, or the
 * limit's 429 when app.assert_within refuses.
 */
async function lockedBatch(
  db: Database,
  tenantId: string,
  limit: { name: LimitName; max: number },
  statements: (tx: TenantDb) => Statement[],
): Promise<unknown[]> {
  const key = `${tenantId}:${limit.name}`
  try {
    const results = await withTenant(db, tenantId, (tx) =>
      tx.batch([
        tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`),
        // biome-ignore lint/suspicious/noExplicitAny: drizzle's batch item type is internal
        ...(statements(tx) as any[]),
      ]),
    )
    return (results as unknown[]).slice(1)
  } catch (err) {
    if (sqlState(err) === 'CT429') throw overLimit(limit.name, limit.max)
    throw err
  }
}

const assertWithin = (name: LimitName, count: SQL, max: number) =>
  sql`select app.assert_within(${name}, ${count}, ${max}::int)`

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
  const count = sql`(select count(*) from ${limit.table})`
  const [rows] = await lockedBatch(db, tenantId, limit, (tx) => [
    insert(tx),
    tx.execute(assertWithin(limit.name, count, limit.max)),
  ])
  return rows as T
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
  const count = sql`case when ${limit.exists} then 0 else (select count(*) from ${limit.table}) + 1 end`
  const [, , rows] = await lockedBatch(db, tenantId, limit, (tx) => [
    tx.execute(limit.makeRoom ?? sql`select 1`),
    tx.execute(assertWithin(limit.name, count, limit.max)),
    upsert(tx),
  ])
  return rows as T
}
