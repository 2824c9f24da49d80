/**
 * The agent registry: agents that registered themselves (`role:instance` names, kept by a
 * heartbeat), remote A2A agents registered by URL, and the built-in agents, which are always
 * there. Agents not seen for AGENT_TTL_SECONDS leave listings; their inboxes stay.
 */

import { skillsOf } from '@codetether/agent-kit'
import { and, eq, gt, inArray, or, sql } from 'drizzle-orm'
import { edgeAgentNamed, edgeAgents } from '../../agents/registry'
import type { EdgeAgent } from '../../agents/types'
import { notFound } from '../../lib/errors'
import { agents } from '../../storage/postgres/bus-schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import { upsertWithin } from '../limits/count'
import { limitsOf } from '../limits/settings'
import { assertSize } from '../limits/table'
import type { Scope } from '../scope'

type Row = typeof agents.$inferSelect

export interface AgentView {
  name: string
  role: string
  instance_id: string | null
  kind: 'builtin' | 'local' | 'remote'
  description: string
  url: string | null
  capabilities: Record<string, unknown>
  models_supported: string[]
  last_seen: string | null
  online: boolean
}

/** `role:instance` → role; a name without a colon is its own role. */
export const roleOf = (name: string) => name.split(':')[0] ?? name
const instanceOf = (name: string) => (name.includes(':') ? name.slice(name.indexOf(':') + 1) : null)

export function builtinView(a: EdgeAgent): AgentView {
  return {
    name: a.name,
    role: a.name,
    instance_id: null,
    kind: 'builtin',
    description: a.description,
    url: null,
    capabilities: { streaming: true, skills: skillsOf(a).map((s) => s.id) },
    models_supported: [],
    last_seen: null,
    online: true,
  }
}

function view(r: Row, ttlSeconds: number): AgentView {
  return {
    name: r.name,
    role: r.role,
    instance_id: r.instanceId,
    kind: r.kind,
    description: r.description,
    url: r.url,
    capabilities: r.capabilities,
    models_supported: r.models,
    last_seen: r.lastSeenAt.toISOString(),
    online: r.kind === 'remote' || Date.now() - r.lastSeenAt.getTime() < ttlSeconds * 1000,
  }
}

export interface Registration {
  name: string
  description?: string
  url?: string
  capabilities?: Record<string, unknown>
  models?: string[]
}

type Values = Omit<typeof agents.$inferInsert, 'tenantId' | 'name' | 'lastSeenAt'> & {
  description: string
  capabilities: Record<string, unknown>
}

/**
 * An agent written (new or again) within the tenant's limits: agent_card_bytes on its
 * description and capabilities, and `agents` on the rows. Every row counts, so the table stays
 * bounded, but a local agent quiet past AGENT_TTL_SECONDS is no longer listed and must not
 * hold its place forever: when a new agent needs room, the longest-quiet of those are deleted
 * (their inboxes stay; they may register again). Remote agents never go quiet and keep their
 * place until deleted. An agent already registered keeps its place at any limit.
 */
async function upsertAgent(scope: Scope, name: string, given: Values): Promise<AgentView> {
  const values = { ...given, lastSeenAt: sql`now()` }
  const limits = await limitsOf(scope)
  assertSize(
    'agent_card_bytes',
    limits.agent_card_bytes,
    values.description + JSON.stringify(values.capabilities),
  )
  const ttl = scope.config.AGENT_TTL_SECONDS
  const exists = sql`exists (select 1 from ${agents} where ${agents.name} = ${name})`
  const makeRoom = sql`delete from ${agents} where not ${exists} and ${agents.name} in (
    select ${agents.name} from ${agents}
     where ${agents.kind} = 'local' and ${agents.lastSeenAt} < now() - make_interval(secs => ${ttl})
     order by ${agents.lastSeenAt}
     limit greatest(0, (select count(*) from ${agents}) + 1 - ${limits.agents}::int))`
  const [row] = await upsertWithin(
    scope,
    { name: 'agents', max: limits.agents, table: agents, exists, makeRoom },
    (db) =>
      db
        .insert(agents)
        .values({ tenantId: scope.tenantId, name, ...values })
        .onConflictDoUpdate({ target: [agents.tenantId, agents.name], set: values })
        .returning(),
  )
  if (!row) throw new Error('upsert returned no row')
  return view(row, ttl)
}

export function registerAgent(scope: Scope, r: Registration): Promise<AgentView> {
  return upsertAgent(scope, r.name, {
    role: roleOf(r.name),
    instanceId: instanceOf(r.name),
    kind: 'local' as const,
    description: r.description ?? '',
    url: r.url ?? null,
    capabilities: r.capabilities ?? {},
    models: r.models ?? [],
    registeredBy: scope.principal.subject,
  })
}

/** Keeps an agent listed; 404 means it must register (again). */
export async function heartbeat(scope: Scope, name: string): Promise<AgentView> {
  const [row] = await tenantQuery(scope, (db) =>
    db.update(agents).set({ lastSeenAt: sql`now()` }).where(eq(agents.name, name)).returning(),
  )
  if (!row) throw notFound(`Agent ${name}`)
  return view(row, scope.config.AGENT_TTL_SECONDS)
}

/** Marks agents seen (the bus does it for agents with an open stream). */
export async function touchAgents(scope: Scope, names: string[]) {
  if (!names.length) return
  await tenantQuery(scope, (db) =>
    db.update(agents).set({ lastSeenAt: sql`now()` }).where(inArray(agents.name, names)),
  )
}

/** Live agents: built-ins, remote ones, and local ones seen within the TTL. */
export async function listAgents(scope: Scope, filter: { role?: string } = {}) {
  return (await listAgentsPage(scope, filter)).agents
}

/**
 * A page of listAgents: registered agents by name after `after`, at most `limit` of them;
 * the built-ins lead the first page (they are few and not counted). `next` is the `after` of
 * the following page, when there is one.
 */
export async function listAgentsPage(
  scope: Scope,
  filter: { role?: string; after?: string; limit?: number },
): Promise<{ agents: AgentView[]; next: string | null }> {
  const ttl = scope.config.AGENT_TTL_SECONDS
  const rows = await tenantQuery(scope, (db) => {
    const q = db
      .select()
      .from(agents)
      .where(
        and(
          filter.role ? eq(agents.role, filter.role) : undefined,
          filter.after === undefined ? undefined : gt(agents.name, filter.after),
          or(
            eq(agents.kind, 'remote'),
            gt(agents.lastSeenAt, sql`now() - make_interval(secs => ${ttl})`),
          ),
        ),
      )
      .orderBy(agents.name)
      .$dynamic()
    // One more than asked: whether there is a next page, without a count.
    return filter.limit === undefined ? q : q.limit(filter.limit + 1)
  })
  const more = filter.limit !== undefined && rows.length > filter.limit
  const page = more ? rows.slice(0, filter.limit) : rows
  const builtins =
    filter.after === undefined
      ? edgeAgents.filter((a) => !filter.role || a.name === filter.role).map(builtinView)
      : []
  return {
    agents: [...builtins, ...page.map((r) => view(r, ttl))],
    next: more ? (page.at(-1)?.name ?? null) : null,
  }
}

/** Any agent by name, stale ones included (a message to one waits in its inbox). */
export async function findAgent(scope: Scope, name: string): Promise<AgentView | undefined> {
  const builtin = edgeAgentNamed(name)
  if (builtin) return builtinView(builtin)
  const row = await agentRow(scope, name)
  return row && view(row, scope.config.AGENT_TTL_SECONDS)
}

export async function agentRow(scope: Scope, name: string): Promise<Row | undefined> {
  const [row] = await tenantQuery(scope, (db) =>
    db.select().from(agents).where(eq(agents.name, name)),
  )
  return row
}

export async function requireAgent(scope: Scope, name: string): Promise<AgentView> {
  const found = await findAgent(scope, name)
  if (!found) throw notFound(`Agent ${name}`)
  return found
}

export async function removeAgent(scope: Scope, name: string) {
  const rows = await tenantQuery(scope, (db) =>
    db.delete(agents).where(eq(agents.name, name)).returning({ name: agents.name }),
  )
  if (!rows.length) throw notFound(`Agent ${name}`)
}

/** A remote A2A agent, stored with its card (fetched by remote.ts). */
export async function saveRemoteAgent(
  scope: Scope,
  name: string,
  card: Record<string, unknown>,
): Promise<AgentView> {
  return upsertAgent(scope, name, {
    role: 'remote',
    instanceId: null,
    kind: 'remote' as const,
    description: String(card.description ?? ''),
    url: String(card.url ?? ''),
    capabilities: (card.capabilities as Record<string, unknown>) ?? {},
    models: [],
    card,
    registeredBy: scope.principal.subject,
  })
}
