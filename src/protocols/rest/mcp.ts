import { Hono } from 'hono'
import { requirePrincipal } from '../../auth/middleware'
import { type AppContext, type AppEnv, configOfContext, principalOf } from '../../context'
import { holding, openStream } from '../../domain/limits/open-streams'
import { countedSse } from '../../lib/sse'
import { inputJsonSchema } from '../mcp/schema'
import { handleMcp, toolsFor } from '../mcp/server'
import { scopeOf } from './scope'

/** MCP: Streamable HTTP at /mcp, upstream's legacy /mcp/v1 endpoints, and the OAuth pointer. */
export const mcpApi = new Hono<AppEnv>()

const contextOf = (c: AppContext) => ({ scope: scopeOf(c), baseUrl: new URL(c.req.url).origin })

mcpApi.use('/mcp', requirePrincipal())
mcpApi.use('/mcp/*', requirePrincipal())

/**
 * A GET is MCP's standalone event stream, open until the client leaves: it counts against the
 * open-stream limits as every SSE stream does. A POST's SSE answer ends with its one call, and
 * the request rate already bounds those.
 */
mcpApi.all('/mcp', async (c) => {
  if (c.req.method !== 'GET') return handleMcp(c.req.raw, contextOf(c))
  const lease = await openStream(scopeOf(c), c.req.raw.signal)
  const res = await holding(lease, () => handleMcp(c.req.raw, contextOf(c)))
  if (!res.headers.get('content-type')?.includes('text/event-stream')) {
    lease.release()
    return res
  }
  const counted = countedSse(res.body, 'mcp', lease, scopeOf(c).waitUntil)
  return new Response(counted.body, { status: res.status, headers: res.headers })
})

/** Upstream's tool list, plain JSON. */
mcpApi.get('/mcp/v1/tools', (c) =>
  c.json({
    tools: toolsFor(principalOf(c)).map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: inputJsonSchema(t),
    })),
  }),
)

/**
 * Upstream's JSON-RPC endpoints: plain JSON in and out (its clients accept nothing else), a
 * notification answered 202, the rest exactly as /mcp.
 */
const legacy = (c: AppContext) => {
  const headers = new Headers(c.req.raw.headers)
  headers.set('Accept', 'application/json, text/event-stream')
  headers.set('Content-Type', 'application/json')
  const request = new Request(c.req.raw.url, { method: 'POST', headers, body: c.req.raw.body })
  return handleMcp(request, contextOf(c), { json: true })
}
mcpApi.post('/mcp/v1/rpc', legacy)
mcpApi.post('/mcp/v1/message', legacy)

/** RFC 9728: where an MCP client gets a token for this server. */
mcpApi.get('/.well-known/oauth-protected-resource', (c) => {
  const origin = new URL(c.req.url).origin
  const issuer = configOfContext(c).OIDC_ISSUER
  return c.json({
    resource: `${origin}/mcp`,
    authorization_servers: issuer ?? [],
    bearer_methods_supported: ['header'],
    resource_name: 'CodeTether MCP',
  })
})
