/**
 * Agents in the edge app are written on the public agent API (packages/agent-kit/src/api.ts),
 * the same one remote agents use; the edge gives them its database and configuration as
 * `ctx.platform`.
 */
import type { AgentContext, AgentDefinition, Answer } from '@codetether/agent-kit'
import type { Principal } from '../auth/principal'
import type { listAgents } from '../domain/bus/registry'
import type { callRemote } from '../domain/bus/remote'
import type { askAgent, publishEvent, sendMessage } from '../domain/bus/service'
import type { Scope } from '../domain/scope'
import type { Config, Env } from '../env'
import type { Database } from '../storage/postgres/client'

export {
  answer as done,
  defineAgent,
  fail as failed,
  keywordHits,
  skillsOf,
} from '@codetether/agent-kit'

/**
 * The agent bus as a built-in agent reaches it. Given to the agent with its context
 * (edge-context.ts) rather than imported, because the bus itself runs the built-in agents:
 * an agent importing the bus would make the two depend on each other.
 */
export interface PlatformBus {
  listAgents: typeof listAgents
  askAgent: typeof askAgent
  sendMessage: typeof sendMessage
  publishEvent: typeof publishEvent
  callRemote: typeof callRemote
  /** A built-in agent's answer to `text` for `scope`; undefined when none has that name. */
  askBuiltin(scope: Scope, name: string, text: string, from: string): Promise<string | undefined>
}

export interface EdgePlatform {
  tenantId: string
  /** Who asked: what an agent hands out in their name (a LiveKit identity) is theirs. */
  principal: Principal
  db: Database
  env: Env
  config: Config
  bus: PlatformBus
}

export type EdgeAgent = AgentDefinition<EdgePlatform>
export type EdgeContext = AgentContext<EdgePlatform>
export type AgentReply = Answer
