/** The tools of configured MCP servers as AI SDK tools, for the Coordinator's model. */

import { mcpAccess } from '@codetether/agent-kit/mcp'
import { jsonSchema, type ToolSet, tool } from 'ai'
import { log } from '../lib/log'
import {
  type GuardConfig,
  OutboundRefused,
  outboundFetch,
  outboundPolicy,
} from '../lib/outbound-url'

/** MCP servers are reached under the outbound guard too: a redirect could point inside. */
export function guardedMcpFetch(config: GuardConfig) {
  const policy = outboundPolicy(config)
  return async (url: string | URL, init?: RequestInit) => {
    try {
      return await outboundFetch(policy, url, init)
    } catch (err) {
      // The SDK reports the message; say which rule refused rather than "fetch failed".
      if (err instanceof OutboundRefused) throw new Error(`MCP server refused: ${err.message}`)
      throw err
    }
  }
}

export async function mcpToolSet(config: GuardConfig & { MCP_SERVER_URLS?: string[] }) {
  const access = mcpAccess(config.MCP_SERVER_URLS, (msg) => log.warn(msg), guardedMcpFetch(config))
  const tools: ToolSet = {}
  for (const t of await access.tools()) {
    // Names must fit the providers' rules for tool names.
    const name = `mcp_${t.name}`.replace(/[^\w-]/g, '_').slice(0, 64)
    tools[name] = tool({
      description: t.description ?? t.name,
      inputSchema: jsonSchema(
        (t.inputSchema ?? { type: 'object' }) as Parameters<typeof jsonSchema>[0],
      ),
      execute: (args) => access.call(t.name, args as Record<string, unknown>),
    })
  }
  return { tools, close: () => access.close() }
}
