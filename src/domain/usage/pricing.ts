/** Model prices: the platform's, in micro-USD per million tokens, set by the operator. */
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/neon-http'
import type { Database } from '../../storage/postgres/client'
import { modelPricing } from '../../storage/postgres/session-schema'

export interface Price {
  provider: string
  model: string
  input_per_mtok: number
  output_per_mtok: number
  reasoning_per_mtok?: number
  cache_read_per_mtok: number
  cache_write_per_mtok: number
}

/** A price as the table holds it, read raw: bigints and the time arrive as Postgres's text. */
export interface PriceRow {
  provider: string
  model: string
  input_per_mtok: string
  output_per_mtok: string
  reasoning_per_mtok: string
  cache_read_per_mtok: string
  cache_write_per_mtok: string
  // A Date only in an isolate where drizzle has not yet set its (text) timestamp parser.
  updated_at: string | Date
}

export const listPrices = async (db: Database) =>
  (await db.sql.query('select * from model_pricing order by provider, model')) as PriceRow[]

/** One model's price, added or replaced; reasoning tokens cost as output unless priced. */
export async function setPrice(db: Database, p: Price) {
  const values = {
    provider: p.provider.toLowerCase(),
    model: p.model,
    inputPerMtok: p.input_per_mtok,
    outputPerMtok: p.output_per_mtok,
    reasoningPerMtok: p.reasoning_per_mtok ?? p.output_per_mtok,
    cacheReadPerMtok: p.cache_read_per_mtok,
    cacheWritePerMtok: p.cache_write_per_mtok,
  }
  // Prices are no tenant's rows: written as the platform, not through tenantQuery.
  const [row] = await drizzle({ client: db.sql })
    .insert(modelPricing)
    .values(values)
    .onConflictDoUpdate({
      target: [modelPricing.provider, modelPricing.model],
      set: { ...values, updatedAt: sql`now()` },
    })
    .returning()
  if (!row) throw new Error('upsert returned no row')
  return row
}
