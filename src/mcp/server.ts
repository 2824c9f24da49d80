import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import pkg from '../../package.json'
import type { Principal } from '../auth/principal'
import { ApiError } from '../lib/errors'
import { registerResources } from './resources'
import type { Tool, ToolContext } from './tool'
import { codebaseTools } from './tools/codebases'
import { platformTools } from './tools/platform'
import { taskTools } from './tools/tasks'

export const allTools: readonly Tool[] = [...taskTools, ...codebaseTools, ...platformTools]

/** The tools a principal may use: a read-only role sees no tool that changes anything. */
export function toolsFor(principal: Principal): Tool[] {
  const writes = principal.roles.some((r) => r === 'admin' || r === 'member')
  return allTools.filter((t) => writes || !t.mutates)
}

/** Runs a tool; what the domain refuses (not found, conflict, bad input) is a tool error. */
async function invoke(
  t: Tool,
  ctx: ToolContext,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  try {
    const result = (await t.run(ctx, args)) as Record<string, unknown>
    return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return { isError: true, content: [{ type: 'text', text: err.message }] }
  }
}

/**
 * One MCP request, stateless: a server with the caller's tools and the SDK's web-standard
 * Streamable HTTP transport, answering JSON or SSE as the client asks (`json` forces JSON).
 */
export async function handleMcp(
  request: Request,
  ctx: Omit<ToolContext, 'tools'>,
  opts: { json?: boolean } = {},
): Promise<Response> {
  const tools = toolsFor(ctx.scope.principal)
  const unknown = await unknownTool(request, tools)
  if (unknown) return unknown
  const full: ToolContext = { ...ctx, tools }
  const server = new McpServer(
    { name: 'codetether', version: pkg.version },
    { capabilities: { tools: {}, resources: {} } },
  )
  registerResources(server, full)
  for (const t of tools) {
    server.registerTool(
      t.name,
      {
        description: t.description,
        inputSchema: t.input,
        annotations: { readOnlyHint: !t.mutates },
      },
      (args: Record<string, unknown>) => invoke(t, full, args),
    )
  }
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: opts.json ?? false,
  })
  await server.connect(transport)
  return transport.handleRequest(request)
}

/**
 * A call of a tool that does not exist (or that this caller may not use) is the protocol's
 * error, -32602, as the spec says; the SDK would answer it as a tool result.
 */
async function unknownTool(
  request: Request,
  tools: readonly Tool[],
): Promise<Response | undefined> {
  if (request.method !== 'POST') return undefined
  const msg = (await request
    .clone()
    .json()
    .catch(() => undefined)) as
    | { id?: unknown; method?: string; params?: { name?: unknown } }
    | undefined
  if (msg?.method !== 'tools/call' || msg.id === undefined) return undefined
  const name = String(msg.params?.name ?? '')
  if (tools.some((t) => t.name === name)) return undefined
  return Response.json({
    jsonrpc: '2.0',
    id: msg.id,
    error: { code: -32602, message: `Unknown tool: ${name}` },
  })
}
