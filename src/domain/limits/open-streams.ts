/**
 * open_streams_per_principal and open_streams_per_tenant: every SSE stream counts while it is
 * open, across isolates. Each open stream is a member of two Redis sorted sets (the
 * principal's and the tenant's), scored by when its lease runs out. Admission is one Lua
 * script (drop run-out leases, count both, add to both if under both limits), the stream
 * renews its lease while open and leaves both sets when it ends; a stream whose isolate died
 * simply runs out. So a stream costs a Redis call when it opens, one every REFRESH_MS, and one
 * when it closes: none per event. A stream that follows another of the same principal in the
 * same isolate within KEEP_MS costs none: it takes over the ended one's place (handOver).
 *
 * If Redis fails or is slow the stream goes through, as rate-limit.ts lets requests through:
 * a limit must not take streaming down with it.
 */
import type { Redis } from '@upstash/redis/cloudflare'
import { pause, withinMs } from '../../lib/deadline'
import { log } from '../../lib/log'
import { countedSse, type StreamLease } from '../../lib/sse'
import { redisOf } from '../../storage/redis/client'
import type { Scope } from '../scope'
import { accountOf } from './account'
import { limitsOf } from './settings'
import { overLimit } from './table'

export type { StreamLease }

/** How long a lease holds without renewal: long enough for a refresh or two to fail. */
const LEASE_MS = 90_000
const REFRESH_MS = 30_000
/** Past this the stream is let through uncounted-for-now (its refreshes count it later). */
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

// Renewal puts the member back even if it ran out meanwhile (Redis was away): the stream is
// open, so it counts. ARGV: lease end, id, lease ms.
const RENEW = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 0`

// ARGV: the ids of the streams that ended.
const RELEASE = `
redis.call('ZREM', KEYS[1], unpack(ARGV))
redis.call('ZREM', KEYS[2], unpack(ARGV))
return 0`

/**
 * How long an ended stream's release waits for others of the same principal to travel with:
 * a client that streams one message after another costs one Redis call per stream (its
 * admission), not two. Its place comes back that much later, which errs on the strict side.
 */
const RELEASE_GATHER_MS = 50

/**
 * How long an ended stream's place is kept for its principal's next stream in this isolate.
 * The place stays counted in Redis meanwhile, so no limit is exceeded: a principal that
 * streams one message after another (an A2A client) waits for no admission after its first,
 * and another principal of a tenant at its limit waits this much longer for the place.
 */
const KEEP_MS = 2_000

/**
 * At most this many places kept per pair of sets: two, because a client that sends its next
 * message as soon as the first event arrives starts each stream before the one before it
 * has ended, so every other stream would find none.
 */
const KEPT_PER_PAIR = 2

interface Place {
  id: string
  until: number
}

/** Places of ended streams kept for the next streams of their pair of sets. */
const kept = new Map<string, Place[]>()

/** Ended streams not yet released, by their pair of sets, and since when. */
const releasing = new Map<string, { since: number; ids: string[] }>()

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
  const redis = redisOf(scope.config)
  const keys = streamKeys(scope.tenantId, accountOf(scope.principal))
  const handed = takeKept(keys)
  if (handed) return held(lease(redis, keys, handed, scope.waitUntil), clientGone)
  const limits = await limitsOf(scope)
  const id = crypto.randomUUID()
  const now = Date.now()
  const args = [
    now,
    now + LEASE_MS,
    id,
    limits.open_streams_per_principal,
    limits.open_streams_per_tenant,
    LEASE_MS,
  ]
  const verdict = await withTimeout(redis.eval<typeof args, [number, number]>(ADMIT, keys, args))
  if (verdict?.[0] === 1)
    throw overLimit('open_streams_per_principal', limits.open_streams_per_principal)
  if (verdict?.[0] === 2) throw overLimit('open_streams_per_tenant', limits.open_streams_per_tenant)
  return held(lease(redis, keys, id, scope.waitUntil), clientGone)
}

/** A lease given back when the client goes away, if the stream has not given it back before. */
function held(lease: StreamLease, clientGone: AbortSignal): StreamLease {
  if (clientGone.aborted) lease.release()
  else clientGone.addEventListener('abort', () => lease.release(), { once: true })
  return lease
}

/**
 * A kept place of this pair, taken: the last kept, the freshest (one whose time is up is left
 * to its timer, which releases it). Its member is still in both sets, scored at least
 * LEASE_MS - REFRESH_MS - KEEP_MS ahead (its last stream renewed it), and the new lease
 * renews it from now on.
 */
function takeKept(keys: [string, string]): string | undefined {
  const pair = keys.join(' ')
  const places = kept.get(pair)
  const place = places?.at(-1)
  if (!places || !place || place.until <= Date.now()) return undefined
  places.pop()
  // An emptied pair goes, or every principal an isolate ever served would keep an entry.
  if (places.length === 0) kept.delete(pair)
  return place.id
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

function lease(
  redis: Redis,
  keys: [string, string],
  id: string,
  waitUntil: StreamScope['waitUntil'],
): StreamLease {
  // A failed renewal is not logged: while Redis is away every open stream would say so every
  // REFRESH_MS; the next renewal (or the lease running out) sets the count right.
  const timer = setInterval(() => {
    redis.eval(RENEW, keys, [Date.now() + LEASE_MS, id, LEASE_MS]).catch(() => {})
  }, REFRESH_MS)
  let released = false
  return {
    release() {
      if (released) return
      released = true
      clearInterval(timer)
      handOver(redis, keys, id, waitUntil)
    },
  }
}

/**
 * An ended stream's place: kept for the pair's next stream for KEEP_MS if fewer than
 * KEPT_PER_PAIR are kept, and released if none takes it; else released now.
 */
function handOver(
  redis: Redis,
  keys: [string, string],
  id: string,
  waitUntil: StreamScope['waitUntil'],
) {
  const pair = keys.join(' ')
  const places = kept.get(pair) ?? []
  if (places.length >= KEPT_PER_PAIR) {
    releaseSoon(redis, keys, id, waitUntil)
    return
  }
  const place = { id, until: Date.now() + KEEP_MS }
  places.push(place)
  kept.set(pair, places)
  const unclaimed = pause(KEEP_MS).then(() => {
    const at = places.indexOf(place)
    if (at < 0) return // taken
    places.splice(at, 1)
    if (places.length === 0 && kept.get(pair) === places) kept.delete(pair)
    releaseSoon(redis, keys, id, waitUntil)
  })
  try {
    waitUntil(unclaimed)
  } catch {
    // The request is already over: the timer fires by itself, or the lease runs out.
  }
}

/** Adds the stream to its pair's next release; the first one in starts it and waits for it. */
function releaseSoon(
  redis: Redis,
  keys: [string, string],
  id: string,
  waitUntil: StreamScope['waitUntil'],
) {
  const pair = keys.join(' ')
  const waiting = releasing.get(pair)
  // A batch whose timer never fired (its request was torn down) is left to its leases.
  if (waiting && Date.now() - waiting.since < 1_000) {
    waiting.ids.push(id)
    return
  }
  const batch = { since: Date.now(), ids: [id] }
  releasing.set(pair, batch)
  const done = (async () => {
    await pause(RELEASE_GATHER_MS)
    // Streams ending from now on go in the next release.
    if (releasing.get(pair) === batch) releasing.delete(pair)
    await redis.eval(RELEASE, keys, batch.ids)
  })().catch((err) => {
    log.warn('open stream release failed; its lease runs out instead', { error: String(err) })
  })
  try {
    waitUntil(done)
  } catch {
    // The request is already over: the call goes on by itself or the lease runs out.
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
