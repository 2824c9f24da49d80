/** Topic subscriptions in Postgres; the AgentBus keeps them in memory and is their only writer. */
import { and, eq } from 'drizzle-orm'
import { agentSubscriptions } from '../../storage/postgres/bus-schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

export async function loadSubscriptions(scope: Scope): Promise<Map<string, Set<string>>> {
  const rows = await tenantQuery(scope, (db) => db.select().from(agentSubscriptions))
  const byAgent = new Map<string, Set<string>>()
  for (const r of rows) byAgent.set(r.agent, (byAgent.get(r.agent) ?? new Set()).add(r.pattern))
  return byAgent
}

export async function saveSubscription(scope: Scope, agent: string, pattern: string, on: boolean) {
  await tenantQuery(scope, (db) =>
    on
      ? db
          .insert(agentSubscriptions)
          .values({ tenantId: scope.tenantId, agent, pattern })
          .onConflictDoNothing()
      : db
          .delete(agentSubscriptions)
          .where(and(eq(agentSubscriptions.agent, agent), eq(agentSubscriptions.pattern, pattern))),
  )
}

export async function listSubscriptions(scope: Scope, agent: string): Promise<string[]> {
  const rows = await tenantQuery(scope, (db) =>
    db
      .select({ pattern: agentSubscriptions.pattern })
      .from(agentSubscriptions)
      .where(eq(agentSubscriptions.agent, agent))
      .orderBy(agentSubscriptions.pattern),
  )
  return rows.map((r) => r.pattern)
}
