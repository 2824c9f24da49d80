/**
 * open_streams_per_principal and open_streams_per_tenant: every SSE stream counts while it is
 * open, across isolates. Each open stream is a member of two Redis sorted sets (the
 * principal's and the tenant's), scored by when its lease runs out. Admission is one Lua
 * script (drop run-out leases, count both, add to both if under both limits), the stream
 * renews its lease while open and leaves both sets when it ends; a stream whose isolate died
 * simply runs out (STREAM_LEASE_SECONDS). So a stream costs a Redis call when it opens, one
 * every third of a lease, and one when it closes: none per event. A stream that follows
 * another of the same principal in the same isolate costs none: it takes over the ended one's
 * place (stream-places.ts).
 *
 * If Redis fails or is slow the stream goes through, as rate-limit.ts lets requests through:
 * a limit must not take streaming down with it.
 */
import { withinMs } from '../../lib/deadline'
import { log } from '../../lib/log'
import { countedSse, type StreamLease } from '../../lib/sse'
import { redisOf } from '../../storage/redis/client'
import type { Scope } from '../scope'
import { accountOf } from './account'
import { limitsOf } from './settings'
import { type Holding, leaseOf, newPlace, takeKept } from './stream-places'
import { overLimit } from './table'

export type { StreamLease }

/** Past this the stream is let through uncounted-for-now (its renewals count it later). */
const ADMIT_TIMEOUT_MS = 1_000

/**
 * For a stream that ends as it starts (one event, then done): it holds nothing open, so it
 * takes no place. Named, so that every stream states whether it counts.
 */
export const BRIEF_STREAM: StreamLease = { release() {} }

/** Without Redis (a bare local run) streams are not counted. */
const UNCOUNTED: StreamLease = { release() {} }

// KEYS: the principal's set, the tenant's. ARGV: now, lease end, id, principal max, tenant max,
// lease ms. Answers {0} admitted, {1, n} over the principal's limit, {2, n} over the tenant's.
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local mine = redis.call('ZCARD', KEYS[1])
if mine >= tonumber(ARGV[4]) then return {1, mine} end
local all = redis.call('ZCARD', KEYS[2])
if all >= tonumber(ARGV[5]) then return {2, all} end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {0, 0}`

/**
 * The two sets, hash-tagged by tenant so a script's keys share a slot. The principal's share
 * is its person's (accountOf): the keys someone mints do not multiply their streams.
 */
function streamKeys(tenantId: string, account: string): [string, string] {
  return [`streams:{${tenantId}}:p:${account}`, `streams:{${tenantId}}:t`]
}

type StreamScope = Pick<Scope, 'db' | 'config' | 'tenantId' | 'principal' | 'waitUntil'>

/**
 * A place for one more stream of the scope's principal, or the 429 of whichever limit is
 * spent. Call it before the stream does any work (a refused stream must leave nothing behind),
 * and hand the lease to sseResponse or countedSse, which give it back when the stream ends;
 * if no stream comes of it, release it yourself. `clientGone` is the request's signal: it
 * aborts when the client disconnects (compatibility flag enable_request_signal), which is
 * the one moment the runtime surely runs code for a stream whose reader went away.
 */
export async function openStream(
  scope: StreamScope,
  clientGone: AbortSignal,
): Promise<StreamLease> {
  if (!scope.config.UPSTASH_REDIS_REST_URL) return UNCOUNTED
  const leaseMs = scope.config.STREAM_LEASE_SECONDS * 1000
  const h: Holding = {
    redis: redisOf(scope.config),
    keys: streamKeys(scope.tenantId, accountOf(scope.principal)),
    leaseMs,
    waitUntil: scope.waitUntil,
  }
  const handed = takeKept(h)
  if (handed) return held(leaseOf(h, handed), clientGone)
  const limits = await limitsOf(scope)
  const id = crypto.randomUUID()
  const now = Date.now()
  const args = [
    now,
    now + leaseMs,
    id,
    limits.open_streams_per_principal,
    limits.open_streams_per_tenant,
    leaseMs,
  ]
  const verdict = await withTimeout(
    h.redis.eval<typeof args, [number, number]>(ADMIT, h.keys, args),
  )
  if (verdict?.[0] === 1)
    throw overLimit('open_streams_per_principal', limits.open_streams_per_principal)
  if (verdict?.[0] === 2) throw overLimit('open_streams_per_tenant', limits.open_streams_per_tenant)
  return held(leaseOf(h, newPlace(id, leaseMs)), clientGone)
}

/** A lease given back when the client goes away, if the stream has not given it back before. */
function held(lease: StreamLease, clientGone: AbortSignal): StreamLease {
  if (clientGone.aborted) lease.release()
  else clientGone.addEventListener('abort', () => lease.release(), { once: true })
  return lease
}

/**
 * An SSE response whose events come from elsewhere (a live object's stream), under a lease
 * on the open-stream limits: refused before `start` runs when a limit is spent, given back
 * when the stream ends or `start` fails.
 */
export async function leasedSse(
  scope: StreamScope,
  clientGone: AbortSignal,
  kind: string,
  start: () => Promise<ReadableStream<Uint8Array>>,
): Promise<Response> {
  const lease = await openStream(scope, clientGone)
  return countedSse(await holding(lease, start), kind, lease, scope.waitUntil)
}

/** What starts a stream, under its lease: the lease is given back if it fails (no stream). */
export async function holding<T>(lease: StreamLease, start: () => Promise<T>): Promise<T> {
  try {
    return await start()
  } catch (err) {
    lease.release()
    throw err
  }
}

/** The script's answer, or undefined (let through, logged) when Redis fails or is slow. */
async function withTimeout<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    const verdict = await withinMs(p, ADMIT_TIMEOUT_MS)
    if (verdict === undefined) log.warn('open stream check timed out; letting the stream through')
    return verdict
  } catch (err) {
    log.warn('open stream check failed; letting the stream through', { error: String(err) })
    return undefined
  }
}
