/** People who signed in, recorded per tenant so an admin can list them. */
import { desc, sql } from 'drizzle-orm'
import { log } from '../lib/log'
import { tenantMembers } from '../storage/postgres/auth-schema'
import type { Database } from '../storage/postgres/client'
import { type Tenancy, tenantQuery } from '../storage/postgres/tenant'
import type { Principal } from './principal'
import { TtlCache } from './ttl-cache'

// A person's every request need not write: once per isolate every few minutes is enough.
const recent = new TtlCache<true>(5 * 60_000)

export function touchMember(db: Database, p: Principal, waitUntil: (p: Promise<unknown>) => void) {
  const key = `${p.tenantId} ${p.subject}`
  if (recent.get(key)) return
  recent.set(key, true)
  const write = tenantQuery({ db, tenantId: p.tenantId }, (db) =>
    db
      .insert(tenantMembers)
      .values({
        tenantId: p.tenantId,
        subject: p.subject,
        email: p.email,
        name: p.name,
        roles: p.roles,
      })
      .onConflictDoUpdate({
        target: [tenantMembers.tenantId, tenantMembers.subject],
        set: { email: p.email, name: p.name, roles: p.roles, lastSeenAt: sql`now()` },
      }),
  ).catch((err) => {
    recent.delete(key)
    log.error('member upsert failed', { error: err as Error })
  })
  waitUntil(write)
}

export async function listMembers(t: Tenancy) {
  const rows = await tenantQuery(t, (db) =>
    db.select().from(tenantMembers).orderBy(desc(tenantMembers.lastSeenAt)),
  )
  return rows.map((m) => ({
    subject: m.subject,
    email: m.email,
    name: m.name,
    roles: m.roles,
    first_seen_at: m.firstSeenAt,
    last_seen_at: m.lastSeenAt,
  }))
}
