/**
 * A built-in agent's answer to a message, as the changes it makes to the task: which agent
 * answers (an edge agent, an agent on the bus, or the router's help), and its reply as
 * working, then artifact and final status. Nothing here writes: execute.ts stores the changes.
 */
import type { Scope } from '../domain/scope'
import type { TaskChange } from '../domain/task-model/store'
import { log } from '../lib/log'
import { askOnBus, busAgentWithSkill } from './bus-agents'
import { runEdgeAgent } from './edge-context'
import { agentMessage } from './message'
import { helpReply, pickAgent } from './registry'
import type { AgentReply } from './types'

/** The changes a built-in agent's reply makes: working, then its answer as artifact and status. */
function replyChanges(
  reply: AgentReply,
  taskId: string,
  contextId: string,
  agentId: string,
): TaskChange[] {
  const message = agentMessage(reply.text, reply.data, taskId, contextId)
  const artifact = {
    artifactId: crypto.randomUUID(),
    name: `${agentId}-result`,
    parts: message.parts,
  }
  return [
    { state: 'working' },
    {
      artifacts: [artifact],
      messages: [message],
      state: reply.state,
      statusMessage: message,
      result: reply.state === 'failed' ? null : reply.text,
      error: reply.state === 'failed' ? reply.text : null,
    },
  ]
}

async function answer(
  scope: Scope,
  text: string,
  skill: string | undefined,
  history: string[],
  progress?: (text: string) => Promise<void>,
) {
  const agent = pickAgent(text, skill)
  if (!agent) {
    // A skill no edge agent has may belong to an agent on the bus (a remote process).
    const onBus = skill ? await busAgentWithSkill(scope, skill) : undefined
    if (onBus) return { agentId: onBus, reply: await askOnBus(scope, onBus, text) }
    return { agentId: 'router', reply: helpReply() }
  }
  const reply = await runEdgeAgent(scope, agent, { text, history, from: 'a2a' }, progress)
  if (reply.state === 'failed') log.warn('agent failed', { agent: agent.name, text: reply.text })
  return { agentId: agent.name, reply }
}

export interface Asked {
  text: string
  skill?: string
  /** Texts of the context's earlier messages, oldest first. */
  history: string[]
  taskId: string
  contextId: string
}

/** Which agent answers, and the changes its answer makes to the task. */
export async function answered(
  scope: Scope,
  asked: Asked,
  progress?: (text: string) => Promise<void>,
): Promise<{ agentId: string; changes: TaskChange[] }> {
  const { agentId, reply } = await answer(scope, asked.text, asked.skill, asked.history, progress)
  return { agentId, changes: replyChanges(reply, asked.taskId, asked.contextId, agentId) }
}
