/**
 * Agents that run elsewhere and listen on the bus (`codetether agent run`), reached through A2A:
 * found by name or by a skill they registered, asked with a direct message, their reply the
 * task's answer.
 */
import { bodyText } from '@codetether/agent-kit/wire'
import { listAgents } from '../domain/bus/registry'
import { askAgent } from '../domain/bus/service'
import type { Scope } from '../domain/scope'
import type { AgentReply } from './types'

export async function busAgentWithSkill(scope: Scope, skill: string): Promise<string | undefined> {
  const agents = await listAgents(scope)
  const found = agents.find(
    (a) =>
      a.kind === 'local' &&
      (a.name === skill ||
        (Array.isArray(a.capabilities.skills) &&
          (a.capabilities.skills as { id?: string }[]).some((s) => s?.id === skill))),
  )
  return found?.name
}

export async function askOnBus(scope: Scope, name: string, text: string): Promise<AgentReply> {
  const { reply } = await askAgent(
    scope,
    { to: name, from: 'a2a', body: { text } },
    scope.config.AGENT_HANDLER_TIMEOUT_MS,
  )
  if (!reply) return { state: 'failed', text: `${name} did not answer in time` }
  const body = reply.body as { state?: AgentReply['state']; data?: Record<string, unknown> }
  return {
    state: body?.state === 'failed' || body?.state === 'input-required' ? body.state : 'completed',
    text: bodyText(reply.body),
    ...(body?.data ? { data: body.data } : {}),
  }
}
