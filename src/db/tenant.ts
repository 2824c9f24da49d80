import type { NeonQueryFunction, NeonQueryPromise } from '@neondatabase/serverless'
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http'
import type { Database } from './client'

export type TenantDb = NeonHttpDatabase

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The only way to run tenant queries. `fn` gets a drizzle database in which every statement,
 * and every `tx.batch([...])`, runs in its own Postgres transaction that first sets
 * `app.tenant_id` (transaction-local). Row-level security then limits each statement to the
 * tenant; statements that must commit together go in one `tx.batch`.
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  fn: (tx: TenantDb) => Promise<T>,
): Promise<T> {
  if (!UUID.test(tenantId)) throw new Error('withTenant: tenant id must be a uuid')
  // No `schema`: building drizzle's relational config per call costs more than the query.
  return fn(drizzle({ client: tenantScoped(db.sql, tenantId) }))
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
