import { getPath } from 'hono/utils/url'

const OPENCODE = '/v1/opencode/'

/**
 * Paths of the original CodeTether that are another path here, served in place: its A2A
 * binding's URL, its raw database views (answered by the lists they showed) and the health
 * check its README curls under /v1.
 */
const SAME_AS = new Map(
  Object.entries({
    '/a2a/jsonrpc': '/',
    '/v1/agent/database/workers': '/v1/agent/workers',
    '/v1/agent/database/codebases': '/v1/agent/codebases',
    '/v1/agent/database/workspaces': '/v1/agent/workspaces',
    '/v1/agent/database/sessions': '/v1/agent/runtime/sessions',
    '/v1/health': '/health',
  }),
)

/**
 * The path a request is routed by (the app's `getPath`). The original's `/v1/opencode/*` is
 * `/v1/agent/*` here. Its server answered those with a 307, which its worker follows but its
 * README's `curl` and `httpx` examples do not; served in place, every client gets the answer in
 * one round trip, authenticated and limited as any request to the `/v1/agent` path. That
 * worker sends no token on these paths, so against a server that asks for credentials it
 * cannot register (README says so).
 */
export function routedPath(request: Request): string {
  const path = getPath(request)
  const agent = path.startsWith(OPENCODE) ? `/v1/agent/${path.slice(OPENCODE.length)}` : path
  return SAME_AS.get(agent) ?? agent
}
