/**
 * An open stream's place in the two Redis sets of the open-stream limits (open-streams.ts
 * admits it): renewed while the stream is open, kept for the same principal's next stream in
 * this isolate when it ends, and released when nobody takes it.
 */
import type { Redis } from '@upstash/redis/cloudflare'
import { pause } from '../../lib/deadline'
import { log } from '../../lib/log'
import type { StreamLease } from '../../lib/sse'

/** Where a place lives: its two sets, how long a renewal holds, the request's waitUntil. */
export interface Holding {
  redis: Redis
  /** The principal's set, the tenant's. */
  keys: [string, string]
  leaseMs: number
  waitUntil(promise: Promise<unknown>): void
}

/**
 * One member of both sets. `renewAt` travels with it from stream to stream: a principal that
 * streams one short message after another renews the place on time however short each
 * stream is, and one admitted uncounted (Redis slow) is counted by that renewal.
 */
export interface Place {
  id: string
  renewAt: number
}

/** Three renewals per lease: one or two may fail without the place running out. */
const refreshMsOf = (leaseMs: number) => Math.floor(leaseMs / 3)

/** A new member, first renewed a third of a lease from now. */
export const newPlace = (id: string, leaseMs: number): Place => ({
  id,
  renewAt: Date.now() + refreshMsOf(leaseMs),
})

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

/**
 * How long an ended stream's release waits for others of the same principal to travel with:
 * a client that streams one message after another costs one Redis call per stream (its
 * admission), not two. Its place comes back that much later, which errs on the strict side.
 */
const RELEASE_GATHER_MS = 50

interface Kept {
  place: Place
  until: number
}

/** Places of ended streams kept for the next streams of their pair of sets. */
const kept = new Map<string, Kept[]>()

/** Ended streams not yet released, by their pair of sets, and since when. */
const releasing = new Map<string, { since: number; ids: string[] }>()

/**
 * The place held by an open stream: renewed when due until the stream ends, then handed
 * over (kept for the principal's next stream, or released).
 */
export function leaseOf(h: Holding, place: Place): StreamLease {
  // A failed renewal is not logged: while Redis is away every open stream would say so every
  // renewal; the next one (or the lease running out) sets the count right.
  let timer: ReturnType<typeof setTimeout>
  const renewWhenDue = () => {
    timer = setTimeout(
      () => {
        place.renewAt = Date.now() + refreshMsOf(h.leaseMs)
        h.redis.eval(RENEW, h.keys, [Date.now() + h.leaseMs, place.id, h.leaseMs]).catch(() => {})
        renewWhenDue()
      },
      Math.max(0, place.renewAt - Date.now()),
    )
  }
  renewWhenDue()
  let released = false
  return {
    release() {
      if (released) return
      released = true
      clearTimeout(timer)
      handOver(h, place)
    },
  }
}

/**
 * A kept place of this pair, taken: the last kept, the freshest. Its member is still in both
 * sets, and the lease the caller makes of it renews it when due.
 */
export function takeKept(h: Holding): Place | undefined {
  const pair = h.keys.join(' ')
  const places = current(h, pair)
  const taken = places?.pop()
  // An emptied pair goes, or every principal an isolate ever served would keep an entry.
  if (places?.length === 0) kept.delete(pair)
  return taken?.place
}

/**
 * The pair's kept places whose time is not up. One whose time is up is released here: its
 * own timer may never fire (the request that kept it is over), and when it does it finds the
 * place gone and does nothing.
 */
function current(h: Holding, pair: string): Kept[] | undefined {
  const places = kept.get(pair)
  if (!places) return undefined
  const now = Date.now()
  for (let i = places.length - 1; i >= 0; i--) {
    const k = places[i] as Kept
    if (k.until > now) continue
    places.splice(i, 1)
    releaseSoon(h, k.place.id)
  }
  return places
}

/**
 * An ended stream's place: kept for the pair's next stream for KEEP_MS if fewer than
 * KEPT_PER_PAIR are kept, and released if none takes it; else released now.
 */
function handOver(h: Holding, place: Place) {
  const pair = h.keys.join(' ')
  const places = current(h, pair) ?? []
  if (places.length >= KEPT_PER_PAIR) {
    releaseSoon(h, place.id)
    return
  }
  const entry = { place, until: Date.now() + KEEP_MS }
  places.push(entry)
  kept.set(pair, places)
  const unclaimed = pause(KEEP_MS).then(() => {
    const at = places.indexOf(entry)
    if (at < 0) return // taken, or released by `current`
    places.splice(at, 1)
    if (places.length === 0 && kept.get(pair) === places) kept.delete(pair)
    releaseSoon(h, place.id)
  })
  try {
    h.waitUntil(unclaimed)
  } catch {
    // The request is already over: the timer fires by itself, or `current` releases it.
  }
}

/** Adds the stream to its pair's next release; the first one in starts it and waits for it. */
function releaseSoon(h: Holding, id: string) {
  const pair = h.keys.join(' ')
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
    await h.redis.eval(RELEASE, h.keys, batch.ids)
  })().catch((err) => {
    log.warn('open stream release failed; its lease runs out instead', { error: String(err) })
  })
  try {
    h.waitUntil(done)
  } catch {
    // The request is already over: the call goes on by itself or the lease runs out.
  }
}
