/**
 * The audit log of security events, per tenant, append-only: logins, keys created and
 * revoked, permissions denied, tenant changes. Writing never fails or delays the request.
 */
import { and, desc, eq, lt } from 'drizzle-orm'
import type { Principal } from '../../auth/principal'
import { log } from '../../lib/log'
import { auditLog } from '../../storage/postgres/auth-schema'
import type { Database } from '../../storage/postgres/client'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'

export type AuditAction =
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'key_created'
  | 'key_revoked'
  | 'permission_denied'
  | 'tenant_created'
  | 'tenant_renamed'
  | 'action_approved'
  | 'action_rejected'
  | 'usage_voided'
  | 'limits_changed'

export interface AuditEvent {
  action: AuditAction
  actor: Pick<Principal, 'subject' | 'name'> | string
  target?: string
  detail?: Record<string, unknown>
  requestId?: string
}

export interface AuditSink {
  db: Database
  waitUntil(p: Promise<unknown>): void
}

export function audit(sink: AuditSink, tenantId: string, event: AuditEvent): void {
  const actor =
    typeof event.actor === 'string' ? event.actor : `${event.actor.subject} (${event.actor.name})`
  const write = tenantQuery({ db: sink.db, tenantId }, (db) =>
    db.insert(auditLog).values({
      tenantId,
      actor,
      action: event.action,
      target: event.target,
      detail: event.detail ?? {},
      requestId: event.requestId,
    }),
  ).catch((err) => log.error('audit write failed', { action: event.action, error: err as Error }))
  sink.waitUntil(write)
}

export async function listAudit(
  t: Tenancy,
  q: { action?: string; limit: number; before?: number },
) {
  const rows = await tenantQuery(t, (db) =>
    db
      .select()
      .from(auditLog)
      .where(
        and(
          q.action ? eq(auditLog.action, q.action) : undefined,
          q.before ? lt(auditLog.id, q.before) : undefined,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(q.limit),
  )
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    detail: r.detail,
    request_id: r.requestId,
  }))
}
