/** The tools of configured MCP servers as AI SDK tools, through the MCP SDK's client. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { jsonSchema, type ToolSet, tool } from 'ai'
import { log } from '../lib/log'

export async function mcpToolSet(urls: string[] = []) {
  const tools: ToolSet = {}
  const clients: Client[] = []
  await Promise.all(
    urls.map(async (url, i) => {
      const client = new Client({ name: 'codetether-coordinator', version: '1.0.0' })
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(url)))
        clients.push(client)
        const listed = await client.listTools()
        for (const t of listed.tools) {
          // Tool names must be unique across servers and fit the providers' name rules.
          const name = `mcp${urls.length > 1 ? i + 1 : ''}_${t.name}`
            .replace(/[^\w-]/g, '_')
            .slice(0, 64)
          tools[name] = tool({
            description: t.description ?? t.name,
            inputSchema: jsonSchema(t.inputSchema as Parameters<typeof jsonSchema>[0]),
            execute: async (args) => {
              const r = await client.callTool({
                name: t.name,
                arguments: args as Record<string, unknown>,
              })
              return r.structuredContent ?? r.content
            },
          })
        }
      } catch (err) {
        log.warn('MCP server unavailable to the coordinator', { url, error: err as Error })
      }
    }),
  )
  return { tools, close: () => Promise.all(clients.map((c) => c.close().catch(() => {}))) }
}
