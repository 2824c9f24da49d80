/** The tools of configured MCP servers, through the MCP SDK's client, connected on first use. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { McpAccess } from './api.js'

type Listed = { name: string; description?: string; inputSchema?: unknown }

export interface OpenMcp extends McpAccess {
  close(): Promise<void>
}

/**
 * `fetch` is the server's outbound guard when the edge app is the client; a worker on its
 * owner's machine calls the servers its owner configured, with plain fetch.
 */
export function mcpAccess(
  urls: string[] = [],
  warn: (msg: string) => void = () => {},
  fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>,
): OpenMcp {
  let connected: Promise<{ client: Client; tools: Listed[] }[]> | undefined
  const connect = () => {
    connected ??= Promise.all(
      urls.map(async (url) => {
        const client = new Client({ name: 'codetether-agent', version: '1.0.0' })
        try {
          // 'follow': redirects go to `fetch`, which (the guard) checks every hop itself.
          const transport = new StreamableHTTPClientTransport(
            new URL(url),
            fetch ? { fetch, redirectPolicy: 'follow' } : {},
          )
          await client.connect(transport)
          return [{ client, tools: (await client.listTools()).tools }]
        } catch (err) {
          warn(`MCP server ${url} unavailable: ${(err as Error).message}`)
          return []
        }
      }),
    ).then((servers) => servers.flat())
    return connected
  }
  return {
    tools: async () => (await connect()).flatMap((s) => s.tools),
    async call(name, args) {
      const server = (await connect()).find((s) => s.tools.some((t) => t.name === name))
      if (!server) throw new Error(`No configured MCP server has a tool named ${name}`)
      const r = await server.client.callTool({ name, arguments: args })
      if (r.isError) throw new Error(JSON.stringify(r.content))
      return r.structuredContent ?? r.content
    },
    async close() {
      if (!connected) return
      await Promise.all((await connected).map((s) => s.client.close().catch(() => {})))
    },
  }
}
