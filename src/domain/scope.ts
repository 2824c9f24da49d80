import type { Principal } from '../auth/principal'
import type { Config, Env } from '../env'
import type { Tenancy } from '../storage/postgres/tenant'

/** What domain functions need from the request that called them (REST, A2A or MCP alike). */
export interface Scope extends Tenancy {
  env: Env
  config: Config
  principal: Principal
  /** Keeps work running after the response (ExecutionContext.waitUntil). */
  waitUntil(promise: Promise<unknown>): void
}
