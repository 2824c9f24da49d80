/**
 * Which worker a request speaks for. A person's credential may act for any worker of its
 * tenant (the dev stack, upstream's scripts, an admin tidying up); a worker token is one
 * worker: the one named when it was made, or else the first that registers with it.
 */
import { eq, sql } from 'drizzle-orm'
import { sqlState } from '../lib/db-error'
import { badRequest, forbidden } from '../lib/errors'
import type { Database } from '../storage/postgres/client'
import { apiKeys } from '../storage/postgres/schema'
import { tenantQuery } from '../storage/postgres/tenant'
import { forgetKey } from './keys'
import type { Principal } from './principal'

const keyIdOf = (p: Principal) => p.subject.slice('key:'.length)

/**
 * Binds an unbound worker token to `workerId`, atomically; answers the worker it is bound to.
 * Only a worker that does not exist yet can be bound this way: a worker already registered
 * (by a person's credential, or by another token) is never taken over by a new token; its
 * token is made for it by name (`worker_id` when an admin makes the token).
 */
async function bind(db: Database, p: Principal, workerId: string): Promise<string> {
  const keyId = keyIdOf(p)
  const t = { db, tenantId: p.tenantId }
  let bound: string | null | undefined
  try {
    const { rows } = await tenantQuery(t, (db) =>
      db.execute<{ worker_id: string | null }>(sql`
        update api_keys k set worker_id = ${workerId}
         where k.id = ${keyId}::uuid and k.kind = 'worker' and k.worker_id is null
           and not exists (select 1 from workers w where w.id = ${workerId})
        returning k.worker_id`),
    )
    bound = rows[0]?.worker_id
  } catch (err) {
    // Another token was bound to this new worker a moment ago (api_keys_one_per_worker).
    if (sqlState(err) !== '23505') throw err
  }
  bound ??= (
    await tenantQuery(t, (db) =>
      db.select({ workerId: apiKeys.workerId }).from(apiKeys).where(eq(apiKeys.id, keyId)),
    )
  )[0]?.workerId
  if (!bound) {
    throw forbidden(
      `Worker ${workerId} is already registered: an admin makes a token for it by name (worker_id)`,
    )
  }
  // The cached lookup still says "unbound": let the next request see the binding.
  forgetKey(keyId)
  return bound
}

/**
 * The worker id this request may act as. `claimed` is what the request names (header, body
 * or path); a worker token naming another worker than its own is refused, and one naming
 * none acts as its own.
 */
export async function actingWorker(
  db: Database,
  p: Principal,
  claimed: string | undefined,
): Promise<string> {
  if (p.kind !== 'worker_token') {
    if (!claimed) throw badRequest('Name the worker: X-Worker-ID header or worker_id')
    return claimed
  }
  const own = p.workerId ?? (claimed ? await bind(db, p, claimed) : undefined)
  if (!own) throw badRequest('Name the worker: X-Worker-ID header or worker_id')
  if (claimed && claimed !== own) {
    throw forbidden(`This worker token belongs to worker ${own}; it cannot act as ${claimed}`)
  }
  return own
}

/** The worker a worker token is, if the request comes from one (for reads limited to it). */
export const tokenWorker = async (db: Database, p: Principal, claimed?: string) =>
  p.kind === 'worker_token' ? actingWorker(db, p, claimed) : undefined
