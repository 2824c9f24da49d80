/**
 * Which worker a request speaks for. A person's credential may act for any worker of its
 * tenant (the dev stack, upstream's scripts, an admin tidying up); a worker token is one
 * worker: the one named when it was made, or else the first that registers with it.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { apiKeys } from '../db/schema'
import { withTenant } from '../db/tenant'
import { badRequest, forbidden } from '../lib/errors'
import { forgetKey } from './keys'
import type { Principal } from './principal'

const keyIdOf = (p: Principal) => p.subject.slice('key:'.length)

/** Binds an unbound worker token to `workerId`, atomically; answers the worker it is bound to. */
async function bind(db: Database, p: Principal, workerId: string): Promise<string> {
  const [row] = await withTenant(db, p.tenantId, (tx) =>
    tx
      .update(apiKeys)
      .set({ workerId: sql`coalesce(${apiKeys.workerId}, ${workerId})` })
      .where(and(eq(apiKeys.id, keyIdOf(p)), eq(apiKeys.kind, 'worker')))
      .returning({ workerId: apiKeys.workerId }),
  )
  if (!row?.workerId) throw forbidden('This worker token is no longer valid')
  // The cached lookup still says "unbound": let the next request see the binding.
  if (row.workerId === workerId) forgetKey(keyIdOf(p))
  return row.workerId
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
