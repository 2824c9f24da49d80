import { type AppContext, configOfContext, dbOf, principalOf } from '../context'
import type { Scope } from '../tasks/scope'

/** The domain's view of a REST request. */
export function scopeOf(c: AppContext): Scope {
  const principal = principalOf(c)
  return {
    db: dbOf(c),
    env: c.env,
    config: configOfContext(c),
    principal,
    tenantId: principal.tenantId,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  }
}
