/**
 * A credential found by the SHA-256 of its secret through one SECURITY DEFINER function,
 * cached per isolate. Answers are cached both ways: a flood of made-up secrets costs one
 * query per secret per TTL, not one per request; revoking drops the entry here at once.
 */

import { sha256Hex } from '../lib/digest'
import type { Database } from '../storage/postgres/client'
import { TtlCache } from './ttl-cache'

const TTL_MS = 15_000

export class SecretLookup<Row> {
  private readonly cache = new TtlCache<Row | null>(TTL_MS)

  /** `fn`: the function's name, taking the hash as bytea and returning at most one row. */
  constructor(private readonly fn: 'app.authenticate_key' | 'app.authenticate_session') {}

  async find(db: Database, secret: string): Promise<Row | undefined> {
    const hash = await sha256Hex(secret)
    let row = this.cache.get(hash)
    if (row === undefined) {
      const rows = (await db.sql.query(`select * from ${this.fn}(decode($1, 'hex'))`, [
        hash,
      ])) as Row[]
      row = rows[0] ?? null
      this.cache.set(hash, row)
    }
    return row ?? undefined
  }

  forget(match: (row: Row) => boolean) {
    this.cache.deleteWhere((row) => row !== null && match(row))
  }
}
