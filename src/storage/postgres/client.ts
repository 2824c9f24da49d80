import { type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless'
import type { Config } from '../../env'
import { ApiError } from '../../lib/errors'

/**
 * The database as the Worker sees it: Neon's SQL-over-HTTP endpoint. Each statement (or
 * batch) is one HTTPS round trip to a pooled connection on Neon's side, which is the
 * cheapest way for a stateless isolate to reach Postgres (a WebSocket session would pay
 * the connection start-up and SCRAM on every request).
 */
export interface Database {
  sql: NeonQueryFunction<false, false>
}

const cache = new WeakMap<Config, Database>()

export function databaseOf(config: Config): Database {
  let db = cache.get(config)
  if (!db) {
    if (!config.DATABASE_URL) {
      throw new ApiError(503, 'database_not_configured', 'DATABASE_URL is not configured')
    }
    // Locally the dev stack serves Neon's HTTP protocol; in production this is unset and
    // the driver derives Neon's endpoint from the connection string's host.
    if (config.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_HTTP_ENDPOINT
    db = { sql: neon(config.DATABASE_URL) }
    cache.set(config, db)
  }
  return db
}
