/** The monitor's figures and agent presence, each one query in the tenant. */
import { sql } from 'drizzle-orm'
import { edgeAgents } from '../../agents/registry'
import { tenantQuery } from '../../storage/postgres/tenant'
import { onlineWorker } from '../queue/workers'
import type { Scope } from '../scope'
import { restStatus } from '../task-model/states'

type Num = string | number | null | undefined
const num = (v: Num) => (v === null || v === undefined ? 0 : Number(v))

/**
 * Upstream's stats (messages, tool calls, errors, tokens, average response time, active
 * agents, interventions) plus what the dashboard shows: tasks by state, workers online,
 * codebases.
 */
export async function monitorStats(scope: Scope) {
  const ttl = scope.config.AGENT_TTL_SECONDS
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      with m as (
        select count(*) as total,
               count(*) filter (where type = 'tool') as tools,
               count(*) filter (where type = 'error') as errors,
               count(*) filter (where type = 'human' and source = 'bus') as interventions
          from monitor_messages)
      select m.total, m.tools, m.errors, m.interventions,
        (select coalesce(sum(input_tokens + output_tokens + reasoning_tokens), 0) from token_usage
          where voided_at is null)
          as tokens,
        (select avg(extract(epoch from completed_at - coalesce(started_at, created_at)))
           from tasks where completed_at is not null) as avg_response,
        (select count(*) from agents
          where kind = 'remote' or last_seen_at > now() - make_interval(secs => ${ttl})) as agents,
        (select count(*) from workers where ${onlineWorker}) as workers,
        (select count(*) from workspaces) as codebases,
        (select coalesce(jsonb_object_agg(status, n), '{}') from
           (select status, count(*) as n from tasks group by status) s) as by_status
      from m`),
  )
  const r = rows[0] as Record<string, Num> & { by_status: Record<string, number> }
  const tasksByStatus: Record<string, number> = {}
  for (const [state, n] of Object.entries(r.by_status)) {
    const name = restStatus[state as keyof typeof restStatus] ?? state
    tasksByStatus[name] = (tasksByStatus[name] ?? 0) + Number(n)
  }
  return {
    total_messages: num(r.total),
    tool_calls: num(r.tools),
    errors: num(r.errors),
    tokens: num(r.tokens),
    avg_response_time: Math.round(num(r.avg_response) * 1000) / 1000,
    active_agents: num(r.agents) + edgeAgents.length,
    interventions: num(r.interventions),
    workers_online: num(r.workers),
    codebases: num(r.codebases),
    tasks_by_status: tasksByStatus,
  }
}

export interface MonitorAgentView {
  id: string
  name: string
  kind: 'builtin' | 'local' | 'remote'
  role: string
  description: string
  status: 'online' | 'offline'
  messages_count: number
  last_seen: string | null
}

/**
 * Every agent (built-in, registered, remote), online or not, with how many messages it sent
 * on the bus (counted from agent_messages alone: this runs on every stream open).
 */
export async function monitorAgents(scope: Scope): Promise<MonitorAgentView[]> {
  const ttl = scope.config.AGENT_TTL_SECONDS
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      with said as (select sender as agent_name, count(*) as n from agent_messages group by sender)
      select a.name, a.kind, a.role, a.description, a.last_seen_at,
             a.kind = 'remote' or a.last_seen_at > now() - make_interval(secs => ${ttl}) as online,
             coalesce(said.n, 0) as messages
        from agents a left join said on said.agent_name = a.name order by a.name`),
  )
  type Row = {
    name: string
    kind: 'local' | 'remote'
    role: string
    description: string
    last_seen_at: string
    online: boolean
    messages: Num
  }
  const builtins: MonitorAgentView[] = edgeAgents.map((a) => ({
    id: a.name,
    name: a.name,
    kind: 'builtin',
    role: a.name,
    description: a.description,
    status: 'online',
    messages_count: 0,
    last_seen: null as string | null,
  }))
  const registered: MonitorAgentView[] = (rows as unknown as Row[]).map((r) => ({
    id: r.name,
    name: r.name,
    kind: r.kind,
    role: r.role,
    description: r.description,
    status: r.online ? 'online' : 'offline',
    messages_count: num(r.messages),
    last_seen: new Date(r.last_seen_at).toISOString(),
  }))
  return [...builtins, ...registered]
}

/** Codebases, online workers, waiting and running tasks: upstream's bridge status. */
export async function tenantCounts(scope: Scope) {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute<{ workspaces: number; workers: number; pending: number; running: number }>(sql`
      select (select count(*)::int from workspaces) as workspaces,
             (select count(*)::int from workers where ${onlineWorker}) as workers,
             (select count(*)::int from tasks where status = 'submitted') as pending,
             (select count(*)::int from tasks where status = 'working') as running`),
  )
  return rows[0] ?? { workspaces: 0, workers: 0, pending: 0, running: 0 }
}
