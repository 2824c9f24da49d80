/**
 * A small per-isolate cache with expiry, for credential lookups that would otherwise cost a
 * database round trip on every request. Entries live `ttlMs`; revoking a credential deletes
 * its entry here, and other isolates see the revocation within one TTL.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly max = 5000,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key)
    if (!hit) return undefined
    if (hit.until <= Date.now()) {
      this.entries.delete(key)
      return undefined
    }
    return hit.value
  }

  set(key: string, value: V, ttlMs = this.ttlMs): void {
    if (this.entries.size >= this.max) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
    this.entries.set(key, { value, until: Date.now() + ttlMs })
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  /** Drops entries whose value matches, e.g. every cached lookup of a revoked key id. */
  deleteWhere(match: (value: V) => boolean): void {
    for (const [key, { value }] of this.entries) if (match(value)) this.entries.delete(key)
  }
}
