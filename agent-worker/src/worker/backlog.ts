import type { components } from '../generated/rest-api.js'
import type { OfferedTask } from './task-feed.js'

type Claim = components['schemas']['WorkerClaim']
/** What the server answers a wish: the claims it made, and the named tasks gone for good. */
export type Granted = Pick<components['schemas']['WorkerClaims'], 'claims' | 'gone'>

/** Offers named to the server in one claim, and the slots held for them meanwhile. */
export interface Wish {
  offers: OfferedTask[]
  max: number
}

/** Most offers one wish names, and most it claims (the server takes up to 100 and 32). */
const WISH_OFFERS = 50
const WISH_MAX = 32

/**
 * Tasks offered to this worker that it could run, best first, until it claims them. Claims
 * go out as wishes (several offers, so many slots) so that workers offered the same tasks
 * split them on the server instead of racing for the head of the queue.
 */
export class Backlog {
  private readonly offers = new Map<string, OfferedTask>()
  private readonly named = new Set<string>()
  /** Slots held by wishes in flight. */
  reserved = 0

  has = (id: string) => this.offers.has(id) || this.named.has(id)
  add = (t: OfferedTask) => this.offers.set(t.id, t)
  clear = () => this.offers.clear()
  /** Offers being claimed right now. */
  inFlight = () => [...this.named]

  /** The best offers for up to `slots` free slots, taken out of the backlog until settled. */
  take(slots: number): Wish | undefined {
    if (slots <= 0 || this.offers.size === 0) return undefined
    const offers = [...this.offers.values()]
      .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0))
      .slice(0, WISH_OFFERS)
    for (const o of offers) {
      this.offers.delete(o.id)
      this.named.add(o.id)
    }
    const max = Math.min(slots, offers.length, WISH_MAX)
    this.reserved += max
    return { offers, max }
  }

  /**
   * A wish answered (or not): its claims, each with the offer it came from, to run. An offer
   * neither claimed nor gone comes back when the wish was filled (there was no room for it)
   * or when the request failed and `retry` says it may be asked again; otherwise it cannot
   * be had now, and polling or the next push offers it again.
   */
  settle(
    wish: Wish,
    granted: Granted | undefined,
    retry = false,
  ): { offer: OfferedTask; claim: Claim }[] {
    this.reserved -= wish.max
    for (const o of wish.offers) this.named.delete(o.id)
    const claims = granted?.claims ?? []
    const settled = new Set([...claims.map((c) => c.task_id), ...(granted?.gone ?? [])])
    const filled = granted !== undefined && claims.length >= wish.max
    if (filled || (granted === undefined && retry))
      for (const o of wish.offers) if (!settled.has(o.id)) this.offers.set(o.id, o)
    const byId = new Map(wish.offers.map((o) => [o.id, o]))
    return claims.flatMap((claim) => {
      const offer = byId.get(claim.task_id)
      return offer ? [{ offer, claim }] : []
    })
  }
}
