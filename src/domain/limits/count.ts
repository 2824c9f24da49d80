/**
 * Limits on how many rows of a kind a tenant has (cron jobs, bus agents), checked in the
 * transaction that adds one: locked per tenant and limit, inserted, counted, and undone when
 * over (app.assert_within, migration 0019). Exact under concurrency; no count read before.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { PgTable } from 'drizzle-orm/pg-core'
import type { RunnableQuery } from 'drizzle-orm/runnable-query'
import { sqlState } from '../../lib/db-error'
import { type Tenancy, type TenantDb, tenantBatch } from '../../storage/postgres/tenant'
import { type LimitName, overLimit } from './table'

/**
 * `statements` in one transaction behind the tenant's lock on `limit`: their results, or the
 * limit's 429 when app.assert_within refuses.
 */
async function lockedBatch(
  t: Tenancy,
  limit: { name: LimitName; max: number },
  statements: (db: TenantDb) => BatchItem<'pg'>[],
): Promise<unknown[]> {
  const key = `${t.tenantId}:${limit.name}`
  try {
    const [, ...results] = await tenantBatch(t, (db) => [
      db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`),
      ...statements(db),
    ])
    return results
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
  t: Tenancy,
  limit: { name: LimitName; max: number; table: PgTable },
  insert: (db: TenantDb) => RunnableQuery<T, 'pg'>,
): Promise<T> {
  const count = sql`(select count(*) from ${limit.table})`
  const [rows] = await lockedBatch(t, limit, (db) => [
    insert(db),
    db.execute(assertWithin(limit.name, count, limit.max)),
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
  t: Tenancy,
  limit: { name: LimitName; max: number; table: PgTable; exists: SQL; makeRoom?: SQL },
  upsert: (db: TenantDb) => RunnableQuery<T, 'pg'>,
): Promise<T> {
  const count = sql`case when ${limit.exists} then 0 else (select count(*) from ${limit.table}) + 1 end`
  const [, , rows] = await lockedBatch(t, limit, (db) => [
    db.execute(limit.makeRoom ?? sql`select 1`),
    db.execute(assertWithin(limit.name, count, limit.max)),
    upsert(db),
  ])
  return rows as T
}
