import type { Database } from '../db/client'
import type { Config, Env } from '../env'

/** What a built-in agent answers: the task's next state, its text, optionally data. */
export interface AgentReply {
  state: 'completed' | 'failed' | 'input-required'
  text: string
  data?: Record<string, unknown>
}

export interface AgentContext {
  tenantId: string
  db: Database
  env: Env
  config: Config
  /** Earlier messages' text in the same context, oldest first. */
  history: string[]
}

export interface AgentSkill {
  id: string
  name: string
  description: string
  tags: string[]
  examples: string[]
}

export interface BuiltinAgent {
  /** Also the skill id clients pick it by. */
  id: string
  name: string
  description: string
  skill: AgentSkill
  /** How strongly `text` asks for this agent: 0 = not at all. */
  score(text: string): number
  handle(text: string, ctx: AgentContext): Promise<AgentReply>
}

export const done = (text: string, data?: Record<string, unknown>): AgentReply => ({
  state: 'completed',
  text,
  data,
})
export const failed = (text: string): AgentReply => ({ state: 'failed', text })

/** Counts how many of `words` occur in `text` as whole words. */
export function keywordHits(text: string, words: string[]): number {
  const lower = text.toLowerCase()
  return words.filter((w) => new RegExp(`\\b${w}\\b`).test(lower)).length
}
