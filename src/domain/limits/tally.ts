/**
 * Request counts sent to the rate limiter in batches. A request that finds a fresh, allowing
 * verdict with room to spare is admitted at once and counted in the background, together with
 * the others that arrive within GATHER_MS (one Redis call per key and isolate per GATHER_MS at
 * most). Without a fresh verdict, or close to the limit, a request waits for Redis as before.
 * So a busy key costs a few Redis calls a second rather than one per request, and the limit
 * still holds: every admitted request is counted, at most GATHER_MS and a round trip late, and
 * an isolate never admits unasked more than half of what Redis last said remains, less every
 * count still on its way there.
 */
import { pause } from '../../lib/deadline'

export interface Verdict {
  success: boolean
  limit: number
  remaining: number
  reset: number
}

/** Counts `n` requests against the key's limit; undefined when the limiter failed. */
export type CountFn = (n: number) => Promise<Verdict | undefined>

interface Tally {
  /** Redis's latest answer, and when it came. */
  verdict?: Verdict
  at: number
  /** What remains once every count sent so far has landed, at worst. */
  left: number
  /** Admitted in this isolate and not yet sent to Redis. */
  pending: number
  /** Sent to Redis, answer not back yet. */
  sending: number
  flushing?: Promise<void>
}

/** How long an allowing verdict is trusted without asking again. */
const FRESH_MS = 1000
/**
 * How long an admitted request's count waits for others to travel with. Counted one by one,
 * a client that calls in a loop cost a Redis call per request: more CPU than the request
 * itself, and a command Upstash bills.
 */
export const GATHER_MS = 50
const FLUSH_ROUNDS = 20
const MAX_KEYS = 10_000

export class Tallies {
  private readonly byKey = new Map<string, Tally>()

  /**
   * The verdict for one more request on `key`. `later` receives the background count of an
   * admitted request (the Worker's waitUntil).
   */
  async admit(
    key: string,
    count: CountFn,
    later: (p: Promise<void>) => void,
  ): Promise<Verdict | undefined> {
    const t = this.tallyOf(key)
    const v = t.verdict
    if (v?.success && Date.now() - t.at < FRESH_MS && t.pending + 1 <= t.left / 2) {
      t.pending++
      // The request that starts a flush keeps its isolate alive until it is done; the ones
      // that join it have nothing more to wait for.
      if (!t.flushing) later(this.flush(t, count))
      return v
    }
    // Ask now, counting this request with any not yet sent.
    const n = t.pending + 1
    t.pending = 0
    return this.send(t, count, n)
  }

  /** A flush of the key's pending counts; its one caller starts one only when none runs. */
  private flush(t: Tally, count: CountFn): Promise<void> {
    // A flush lives for a few rounds at most: it runs on the request that started it (whose
    // waitUntil is bounded). As it decides to stop it lets go, in the same tick, so that a
    // request admitted from then on starts (and waits for) a flush of its own.
    const letGo = () => {
      if (t.flushing === flushing) t.flushing = undefined
    }
    const flushing: Promise<void> = (async () => {
      for (let round = 1; ; round++) {
        await pause(GATHER_MS)
        const n = t.pending
        t.pending = 0
        const last = n === 0 || round === FLUSH_ROUNDS
        if (last) letGo()
        // A limiter that fails lets requests through; their count is dropped with it.
        if (n > 0 && !(await this.send(t, count, n))) return
        if (last) return
      }
    })().finally(letGo)
    t.flushing = flushing
    return flushing
  }

  /**
   * Counts `n` in Redis. An answer may or may not include counts still on their way, so what
   * is left is reckoned as if it included none of them. Answers can also overtake each other:
   * within one window the count only grows, so an answer never raises what is left; a new
   * window (another reset time) starts the reckoning afresh.
   */
  private async send(t: Tally, count: CountFn, n: number): Promise<Verdict | undefined> {
    t.sending += n
    t.left -= n
    const answer = await count(n)
    t.sending -= n
    if (answer) {
      const left = answer.remaining - t.sending
      const sameWindow = t.verdict?.reset === answer.reset
      t.left = sameWindow ? Math.min(t.left, left) : left
      t.verdict = answer
      t.at = Date.now()
    }
    return answer
  }

  private tallyOf(key: string): Tally {
    let t = this.byKey.get(key)
    if (!t) {
      if (this.byKey.size >= MAX_KEYS) this.forgetIdle()
      t = { at: 0, left: 0, pending: 0, sending: 0 }
      this.byKey.set(key, t)
    }
    return t
  }

  private forgetIdle() {
    const now = Date.now()
    for (const [key, t] of this.byKey) {
      if (!t.flushing && t.pending + t.sending === 0 && now - t.at >= FRESH_MS) {
        this.byKey.delete(key)
      }
    }
  }
}
