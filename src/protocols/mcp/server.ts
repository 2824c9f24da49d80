import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import pkg from '../../../package.json'
import { can, mcpToolPermission } from '../../auth/permissions'
import type { Principal } from '../../auth/principal'
import { callerError } from '../../lib/errors'
import { log } from '../../lib/log'
import { registerResources } from './resources'
import type { Tool, ToolContext } from './tool'
import { agentTools } from './tools/agents'
import { codebaseTools } from './tools/codebases'
import { platformTools } from './tools/platform'
import { taskTools } from './tools/tasks'

export const allTools: readonly Tool[] = [
  ...taskTools,
  ...codebaseTools,
  ...platformTools,
  ...agentTools,
]

/** The tools a principal may use: one without tasks:write sees no tool that changes anything. */
export function toolsFor(principal: Principal): Tool[] {
  return allTools.filter((t) => can(principal, mcpToolPermission(t)))
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
    // Anything else would reach the caller as its raw message (the SDK's default): a
    // database error's would carry the statement and its parameters.
    const known = callerError(err)
    if (!known) log.error('mcp tool failed', { tool: t.name, error: err as Error })
    const text = known?.message ?? `Internal error in ${t.name}`
    return { isError: true, content: [{ type: 'text', text }] }
  }
}

/** The JSON-RPC message of a POST, when it is a single one (batches and GETs are undefined). */
type Message = { id?: unknown; method?: string; params?: { name?: unknown } }
async function peek(request: Request): Promise<Message | undefined> {
  if (request.method !== 'POST') return undefined
  const msg = await request
    .clone()
    .json()
    .catch(() => undefined)
  return msg && typeof msg === 'object' && !Array.isArray(msg) ? (msg as Message) : undefined
}

/**
 * One MCP request, stateless: a server with the caller's tools and the SDK's web-standard
 * Streamable HTTP transport, answering JSON or SSE as the client asks (`json` forces JSON).
 * A tools/call builds only the tool it calls; everything else sees every tool and resource.
 */
export async function handleMcp(
  request: Request,
  ctx: Omit<ToolContext, 'tools'>,
  opts: { json?: boolean } = {},
): Promise<Response> {
  const tools = toolsFor(ctx.scope.principal)
  const msg = await peek(request)
  const called = msg?.method === 'tools/call' ? String(msg.params?.name ?? '') : undefined
  const needed = called === undefined ? tools : tools.filter((t) => t.name === called)
  if (called !== undefined && msg?.id !== undefined && needed.length === 0) {
    // The protocol's error for an unknown tool (or one this caller may not use), as the spec
    // says; the SDK would answer it as a tool result.
    return Response.json({
      jsonrpc: '2.0',
      id: msg.id,
      error: { code: -32602, message: `Unknown tool: ${called}` },
    })
  }
  const full: ToolContext = { ...ctx, tools }
  const server = new McpServer(
    { name: 'codetether', version: pkg.version },
    { capabilities: { tools: {}, resources: {} } },
  )
  if (called === undefined) registerResources(server, full)
  for (const t of needed) {
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
