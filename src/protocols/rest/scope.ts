import { actingWorker } from '../../auth/worker-identity'
import { type AppContext, configOfContext, dbOf, principalOf } from '../../context'
import { type AuditEvent, audit } from '../../domain/audit/log'
import type { Scope } from '../../domain/scope'

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

/** A security event of this request: its caller and request id, in its tenant unless named. */
export function auditRequest(
  c: AppContext,
  event: Omit<AuditEvent, 'actor' | 'requestId'>,
  tenantId = principalOf(c).tenantId,
) {
  audit(scopeOf(c), tenantId, { ...event, actor: principalOf(c), requestId: c.get('requestId') })
}

/** The worker this request acts as (a worker token: only its own; see auth/worker-identity). */
export const workerOf = (c: AppContext, claimed: string | undefined) =>
  actingWorker(dbOf(c), principalOf(c), claimed)

/** The worker speaking: X-Worker-ID (upstream's header) or worker_id in the body. */
export const workerIdOf = (c: AppContext, body: { worker_id?: string }) =>
  workerOf(c, c.req.header('X-Worker-ID') ?? body.worker_id)
