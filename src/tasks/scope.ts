import type { Principal } from '../auth/principal'
import type { Database } from '../db/client'
import type { Config, Env } from '../env'

/** What domain functions need from the request that called them (REST, A2A or MCP alike). */
export interface Scope {
  db: Database
  env: Env
  config: Config
  principal: Principal
  tenantId: string
  /** Keeps work running after the response (ExecutionContext.waitUntil). */
  waitUntil(promise: Promise<unknown>): void
}
