/**
 * Whether an A2A message asks for work a worker does (a workspace, a coding agent, a model)
 * rather than a built-in agent, and the routing columns it asks for. Read from the
 * request's or the message's metadata; `skill` may name a fleet skill (agent:<name>,
 * model:<id>) from the extended card.
 */
export interface QueueRouting {
  workspaceId: string | null
  agentType: string
  modelRef: string | null
  targetAgentName: string | null
  targetWorkerId: string | null
  requiredCapabilities: string[]
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined)

export function queueRouting(
  meta: Record<string, unknown>,
  skill: string | undefined,
): QueueRouting | undefined {
  const workspace = str(meta.workspace_id) ?? str(meta.codebase_id) ?? str(meta.workspaceId)
  const agent = skill?.startsWith('agent:') ? skill.slice(6) : str(meta.target_agent_name)
  const model = skill?.startsWith('model:')
    ? skill.slice(6)
    : (str(meta.model_ref) ?? str(meta.modelRef))
  const agentType = str(meta.agent_type) ?? str(meta.agentType)
  const worker = str(meta.target_worker_id)
  if (!workspace && !agent && !model && !agentType && !worker) return undefined
  const caps = Array.isArray(meta.required_capabilities)
    ? meta.required_capabilities.filter((c) => typeof c === 'string')
    : []
  return {
    workspaceId: workspace ?? null,
    agentType: agentType ?? 'build',
    modelRef: model ?? null,
    targetAgentName: agent ?? null,
    targetWorkerId: worker ?? null,
    requiredCapabilities: caps as string[],
  }
}

/**
 * What of the routing lives in the task's metadata rather than a column: `fallback: "any"`,
 * which lets any eligible worker take a task whose named agent no worker has
 * (app.eligible_for, migration 0021). Anything else there is no fallback and is left out.
 */
export function routingMetadata(meta: Record<string, unknown>): { fallback?: 'any' } {
  return meta.fallback === 'any' ? { fallback: 'any' } : {}
}
