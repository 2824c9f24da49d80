/**
 * Agents in the edge app are written on the public agent API (agent-worker/src/agent/api.ts),
 * the same one remote agents use; the edge gives them its database and configuration as
 * `ctx.platform`.
 */
import type { AgentContext, AgentDefinition, Answer } from '../../agent-worker/src/agent/api'
import type { Principal } from '../auth/principal'
import type { Database } from '../db/client'
import type { Config, Env } from '../env'

export {
  answer as done,
  defineAgent,
  fail as failed,
  keywordHits,
  skillsOf,
} from '../../agent-worker/src/agent/api'

export interface EdgePlatform {
  tenantId: string
  /** Who asked: what an agent hands out in their name (a LiveKit identity) is theirs. */
  principal: Principal
  db: Database
  env: Env
  config: Config
}

export type EdgeAgent = AgentDefinition<EdgePlatform>
export type EdgeContext = AgentContext<EdgePlatform>
export type AgentReply = Answer
