import { listAgents } from '../../domain/bus/registry'
import { modelIdOf, onlineWorker } from '../../domain/queue/workers'
import type { Scope } from '../../domain/scope'
import { workers } from '../../storage/postgres/schema'
import { tenantQuery } from '../../storage/postgres/tenant'

export interface FleetSkill {
  id: string
  name: string
  description: string
  tags: string[]
  examples: string[]
}

/**
 * Skills of the tenant's online workers: each agent a worker registered (`agents`, as
 * `{name, description?}` or a name) and each model, once across the fleet; and the skills of
 * agents listening on the bus as processes.
 */
export async function fleetSkills(scope: Scope): Promise<FleetSkill[]> {
  const rows = await tenantQuery(scope, (db) =>
    db
      .select({ agents: workers.agents, models: workers.models, name: workers.name })
      .from(workers)
      .where(onlineWorker),
  )
  const skills = new Map<string, FleetSkill>()
  for (const row of rows) {
    for (const agent of row.agents) {
      const a =
        typeof agent === 'string'
          ? { name: agent }
          : (agent as { name?: string; description?: string })
      if (!a.name || skills.has(`agent:${a.name}`)) continue
      skills.set(`agent:${a.name}`, {
        id: `agent:${a.name}`,
        name: a.name,
        description: a.description ?? `The ${a.name} coding agent on a connected worker`,
        tags: ['worker', 'coding-agent'],
        examples: [],
      })
    }
    for (const model of row.models) {
      const id = modelIdOf(model)
      if (!id || skills.has(`model:${id}`)) continue
      skills.set(`model:${id}`, {
        id: `model:${id}`,
        name: id,
        description: `Tasks run with ${id} on a connected worker`,
        tags: ['worker', 'model'],
        examples: [],
      })
    }
  }
  // Agents running as processes on the bus (`codetether agent run`) bring their skills.
  for (const agent of await listAgents(scope)) {
    if (agent.kind !== 'local' || !Array.isArray(agent.capabilities.skills)) continue
    for (const skill of agent.capabilities.skills as Partial<FleetSkill>[]) {
      if (!skill?.id || skills.has(skill.id)) continue
      skills.set(skill.id, {
        id: skill.id,
        name: skill.name ?? skill.id,
        description: skill.description ?? `${agent.name} on the agent bus`,
        tags: [...(skill.tags ?? []), 'bus-agent'],
        examples: skill.examples ?? [],
      })
    }
  }
  return [...skills.values()]
}
