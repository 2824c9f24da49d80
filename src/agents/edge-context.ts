/**
 * The agent API's context for an agent running in the edge app: other agents and events
 * through the agent bus, MCP tools from MCP_SERVER_URLS, the tenant's database as `platform`.
 */
import { type AgentContext, type IncomingMessage, runAgent, topicFor } from '@codetether/agent-kit'
import { mcpAccess } from '@codetether/agent-kit/mcp'
import { listAgents } from '../domain/bus/registry'
import { callRemote } from '../domain/bus/remote'
import { askAgent, publishEvent, sendMessage, subscribeAgent } from '../domain/bus/service'
import type { Scope } from '../domain/scope'
import { log } from '../lib/log'
import { guardedMcpFetch } from './coordinator-mcp'
import { edgeAgentNamed } from './registry'
import type { EdgeAgent, EdgePlatform, PlatformBus } from './types'

const SEND_TIMEOUT_MS = 20_000

const bus: PlatformBus = {
  listAgents,
  askAgent,
  sendMessage,
  publishEvent,
  callRemote,
  async askBuiltin(scope, name, text, from) {
    const agent = edgeAgentNamed(name)
    if (!agent) return undefined
    return (await runEdgeAgent(scope, agent, { text, from, history: [] })).text
  },
}

export function edgeContext(
  scope: Scope,
  agent: EdgeAgent,
  onProgress?: (text: string) => Promise<void>,
): AgentContext<EdgePlatform> & { close(): Promise<void> } {
  const me = agent.name
  const mcp = mcpAccess(
    scope.config.MCP_SERVER_URLS,
    (msg) => log.warn(msg),
    guardedMcpFetch(scope.config),
  )
  return {
    agent: me,
    async send(to, message, opts) {
      const timeout = opts?.timeoutMs ?? SEND_TIMEOUT_MS
      const { reply } = await askAgent(scope, { to, from: me, body: { text: message } }, timeout)
      if (!reply) throw new Error(`${to} did not answer within ${Math.round(timeout / 1000)} s`)
      return reply.text
    },
    async tell(to, message) {
      await sendMessage(scope, { to, from: me, body: { text: message } })
    },
    async publish(eventType, data) {
      await publishEvent(scope, { from: me, topic: topicFor(me, eventType), body: data })
    },
    async subscribe(from, eventType) {
      await subscribeAgent(scope, me, topicFor(from, eventType), true)
    },
    async unsubscribe(from, eventType) {
      await subscribeAgent(scope, me, topicFor(from, eventType), false)
    },
    progress: async (text) => onProgress?.(text),
    mcp,
    platform: {
      tenantId: scope.tenantId,
      principal: scope.principal,
      db: scope.db,
      env: scope.env,
      config: scope.config,
      bus,
    },
    close: () => mcp.close(),
  }
}

/** One message to an edge agent, with the API's timeout and error handling. */
export async function runEdgeAgent(
  scope: Scope,
  agent: EdgeAgent,
  message: IncomingMessage,
  onProgress?: (text: string) => Promise<void>,
) {
  const ctx = edgeContext(scope, agent, onProgress)
  try {
    return await runAgent(
      agent,
      message,
      ctx,
      agent.timeoutMs ?? scope.config.AGENT_HANDLER_TIMEOUT_MS,
    )
  } finally {
    await ctx.close()
  }
}
