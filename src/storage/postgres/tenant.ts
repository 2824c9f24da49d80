import type { NeonQueryFunction, NeonQueryPromise } from '@neondatabase/serverless'
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch'
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http'
import type { Database } from './client'

/** The drizzle database a builder gets: whatever it runs is sent as the tenant. */
export type TenantDb = NeonHttpDatabase

/**
 * What tenant-scoped database access needs: the database and whose rows to see. A request's
 * `Scope` is one, so domain functions take either.
 */
export interface Tenancy {
  db: Database
  tenantId: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Runs the one statement `build` returns as the tenant: in its own Postgres transaction that
 * first sets `app.tenant_id` (transaction-local), so row-level security limits it to the
 * tenant's rows. Statements that must commit together go through `tenantBatch` instead;
 * separate `tenantQuery` calls are separate transactions.
 */
export async function tenantQuery<T>(
  t: Tenancy,
  build: (db: TenantDb) => PromiseLike<T>,
): Promise<T> {
  return build(tenantDb(t))
}

/**
 * Runs the statements `build` returns as the tenant in one Postgres transaction, after setting
 * `app.tenant_id`: they commit together or not at all. Resolves to each statement's result,
 * in order, typed as drizzle's `batch` types them.
 */
export async function tenantBatch<U extends BatchItem<'pg'>, T extends Readonly<[U, ...U[]]>>(
  t: Tenancy,
  build: (db: TenantDb) => T,
): Promise<BatchResponse<T>> {
  const db = tenantDb(t)
  return db.batch(build(db))
}

/**
 * Each database's tenant-scoped drizzle instances, made once per tenant and isolate: they hold
 * no state of a request, and building one (session, mappers, the scoped client) cost more of a
 * cancel's CPU than the statement did.
 */
const tenantDbs = new WeakMap<Database, Map<string, TenantDb>>()
const MAX_TENANT_DBS = 1000

function tenantDb({ db, tenantId }: Tenancy): TenantDb {
  let byTenant = tenantDbs.get(db)
  if (!byTenant) {
    byTenant = new Map()
    tenantDbs.set(db, byTenant)
  }
  const known = byTenant.get(tenantId)
  if (known) return known
  if (!UUID.test(tenantId)) throw new Error('tenant id must be a uuid')
  // No `schema`: building drizzle's relational config per call costs more than the query.
  const made = drizzle({ client: tenantScoped(db.sql, tenantId) })
  if (byTenant.size >= MAX_TENANT_DBS) byTenant.clear()
  byTenant.set(tenantId, made)
  return made
}

type Sql = NeonQueryFunction<false, false>
type QueryArgs = Parameters<Sql['query']>
// The driver's generics track array/full-result modes per query; drizzle sets them per call.
type Query = NeonQueryPromise<false, false>

/**
 * A neon `sql` function whose queries carry the tenant. A query stays lazy, as neon's own
 * are, so drizzle can either await it alone or hand it to `transaction()` inside a batch.
 */
function tenantScoped(sql: Sql, tenantId: string): Sql {
  const setTenant = () => sql`select set_config('app.tenant_id', ${tenantId}, true)`

  class ScopedQuery {
    constructor(readonly inner: Query) {}
    run() {
      return sql.transaction([setTenant(), this.inner]).then((results) => results[1])
    }
    // biome-ignore lint/suspicious/noThenProperty: lazy thenable, like neon's own queries
    then<A, B>(onFulfilled?: (v: unknown) => A, onRejected?: (e: unknown) => B) {
      return this.run().then(onFulfilled, onRejected)
    }
  }

  const query = (...args: QueryArgs) => new ScopedQuery(sql.query(...args) as Query)
  const transaction = (queries: (ScopedQuery | Query)[], opts?: object) =>
    sql
      .transaction(
        [setTenant(), ...queries.map((q) => (q instanceof ScopedQuery ? q.inner : q))],
        opts,
      )
      .then((results) => results.slice(1))
  return Object.assign(query, { query, transaction }) as unknown as Sql
}
