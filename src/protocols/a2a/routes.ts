import { Hono } from 'hono'
import { requirePrincipal } from '../../auth/middleware'
import { type AppEnv, configOfContext } from '../../context'
import { serveAgentCard } from './card-response'
import { handleJsonRpc } from './jsonrpc'
import { publicJwks } from './signing'

export const a2a = new Hono<AppEnv>()

/**
 * The public agent card: v1.0 by default, the v0.3 card (v1.0 interfaces embedded) for a
 * request that names 0.3 and at v0.2's path, which v0.3 clients fall back to.
 */
a2a.get('/.well-known/agent-card.json', (c) => serveAgentCard(c))
a2a.get('/.well-known/agent.json', (c) => serveAgentCard(c, true))

a2a.get('/.well-known/jwks.json', (c) =>
  c.json(publicJwks(configOfContext(c)), 200, { 'Cache-Control': 'public, max-age=300' }),
)

a2a.post('/', requirePrincipal(), handleJsonRpc)
a2a.post('/v1/a2a', requirePrincipal(), handleJsonRpc)
