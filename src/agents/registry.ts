import { analysis } from './analysis'
import { calculator } from './calculator'
import { coordinator } from './coordinator'
import { directory } from './directory'
import { media } from './media'
import { memory } from './memory'
import type { AgentReply, BuiltinAgent } from './types'

export const builtinAgents: readonly BuiltinAgent[] = [
  calculator,
  analysis,
  memory,
  media,
  coordinator,
  directory,
]

/**
 * The agent a message is for: the one named by skill id, else the one whose keywords the
 * text matches best. Undefined when nothing fits.
 */
export function pickAgent(text: string, skillId?: string): BuiltinAgent | undefined {
  if (skillId) return builtinAgents.find((a) => a.id === skillId || a.skill.id === skillId)
  let best: BuiltinAgent | undefined
  let bestScore = 0
  for (const agent of builtinAgents) {
    const score = agent.score(text)
    if (score > bestScore) {
      best = agent
      bestScore = score
    }
  }
  return best
}

/** The answer to a message no agent handles: what can be asked, with examples. */
export function helpReply(): AgentReply {
  const lines = builtinAgents.map(
    (a) => `- ${a.name}: ${a.description} e.g. "${a.skill.examples[0]}"`,
  )
  return {
    state: 'completed',
    text: `I could not tell which agent this is for. I can route to:\n${lines.join('\n')}\nName one with metadata {"skill": "<id>"} to be explicit.`,
    data: { skills: builtinAgents.map((a) => a.id) },
  }
}
