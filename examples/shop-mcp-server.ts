/**
 * A small MCP server (the official SDK's server over Streamable HTTP, stateless): the shop the
 * Shopper agent prices with, and what tests use as someone else's MCP tools: `lookup_price
 * {item}` and `shout {text}`. Run it alone with `npx tsx examples/shop-mcp-server.ts [port]`.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { z } from 'zod'

const PRICES: Record<string, number> = { apple: 7, pear: 5, melon: 12 }

function server() {
  const mcp = new McpServer({ name: 'fake-shop', version: '1.0.0' })
  mcp.registerTool(
    'lookup_price',
    {
      description: 'The price of an item in the shop, in cents',
      inputSchema: { item: z.string() },
    },
    async ({ item }) => {
      const price = PRICES[item.toLowerCase()]
      const result = price === undefined ? { item, error: 'not sold here' } : { item, price }
      return {
        content: [{ type: 'text', text: JSON.stringify(result) }],
        structuredContent: result,
      }
    },
  )
  mcp.registerTool(
    'shout',
    { description: 'The text in capitals', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text: text.toUpperCase() }] }),
  )
  return mcp
}

export interface FakeMcp {
  url: string
  calls: string[]
  close(): Promise<void>
}

export async function startFakeMcp(port = 0): Promise<FakeMcp> {
  const calls: string[] = []
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined
    if (body?.method === 'tools/call') calls.push(body.params?.name)
    const mcp = server()
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    res.on('close', () => {
      void transport.close()
      void mcp.close()
    })
    await mcp.connect(transport)
    await transport.handleRequest(req, res, body)
  })
  await new Promise<void>((r) => http.listen(port, '127.0.0.1', r))
  const { port: bound } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    calls,
    close: () =>
      new Promise((r) => {
        http.closeAllConnections()
        http.close(() => r())
      }),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const shop = await startFakeMcp(Number(process.argv[2] ?? 0))
  console.log(`shop MCP server at ${shop.url}`)
}
