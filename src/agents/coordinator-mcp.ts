/** The tools of configured MCP servers as AI SDK tools, for the Coordinator's model. */
import { jsonSchema, type ToolSet, tool } from 'ai'
import { mcpAccess } from '../../agent-worker/src/agent/mcp-access'
import { log } from '../lib/log'

export async function mcpToolSet(urls: string[] = []) {
  const access = mcpAccess(urls, (msg) => log.warn(msg))
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
