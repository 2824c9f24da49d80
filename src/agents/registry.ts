/**
 * The agents that run inside the edge app: the built-in ones and any written on the agent API
 * and listed in ./custom. The platform treats them all alike.
 */
import { analysis } from './analysis'
import { calculator } from './calculator'
import { coordinator } from './coordinator'
import { customAgents } from './custom'
import { directory } from './directory'
import { media } from './media'
import { memory } from './memory'
import { type AgentReply, type EdgeAgent, skillsOf } from './types'

export const edgeAgents: readonly EdgeAgent[] = [
  calculator,
  analysis,
  memory,
  media,
  coordinator,
  directory,
  ...customAgents,
]

/** An edge agent by name, title ("Calculator Agent") or skill id. */
export function edgeAgentNamed(name: string): EdgeAgent | undefined {
  const n = name.toLowerCase()
  return edgeAgents.find(
    (a) =>
      a.name.toLowerCase() === n ||
      a.title?.toLowerCase() === n ||
      skillsOf(a).some((s) => s.id.toLowerCase() === n),
  )
}

/**
 * The agent a message is for: the one named by skill id, else the one whose keywords the
 * text matches best. Undefined when nothing fits.
 */
export function pickAgent(text: string, skillId?: string): EdgeAgent | undefined {
  if (skillId) return edgeAgentNamed(skillId)
  let best: EdgeAgent | undefined
  let bestScore = 0
  for (const agent of edgeAgents) {
    const score = agent.score?.(text) ?? 0
    if (score > bestScore) {
      best = agent
      bestScore = score
    }
  }
  return best
}

/**
 * The answer to a message no agent handles: what can be asked, with examples. The task waits
 * for the asker (input-required) rather than ending, so that the next message in it can name
 * or ask for an agent and be answered there, with the first message as its context.
 */
export function helpReply(): AgentReply {
  const lines = edgeAgents.map((a) => {
    const example = skillsOf(a)[0]?.examples?.[0]
    return `- ${a.title ?? a.name}: ${a.description}${example ? ` e.g. "${example}"` : ''}`
  })
  return {
    state: 'input-required',
    text: `I could not tell which agent this is for. I can route to:\n${lines.join('\n')}\nName one with metadata {"skill": "<id>"} to be explicit.`,
    data: { skills: edgeAgents.map((a) => a.name) },
  }
}
