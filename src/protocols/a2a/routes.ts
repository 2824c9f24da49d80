import { AgentCard } from '@a2a-js/sdk'
import { Hono } from 'hono'
import { requirePrincipal } from '../../auth/middleware'
import { type AppEnv, configOfContext } from '../../context'
import { buildAgentCard, legacyCardJson } from './card'
import { handleJsonRpc, requestedVersion } from './jsonrpc'
import { publicJwks, signCard } from './signing'

export const a2a = new Hono<AppEnv>()

/** The public agent card: v1.0 when asked for, else the v0.3 card with v1.0 interfaces. */
a2a.get('/.well-known/agent-card.json', async (c) => {
  const origin = new URL(c.req.url).origin
  const config = configOfContext(c)
  const card = await signCard(buildAgentCard(origin, config), config, origin)
  const body = JSON.stringify(
    requestedVersion(c) === '1.0' ? AgentCard.toJSON(card) : legacyCardJson(card),
  )
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))
  const etag = `W/"${[...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('')}"`
  const headers = { ETag: etag, 'Cache-Control': 'public, max-age=300', Vary: 'A2A-Version' }
  if (c.req.header('If-None-Match') === etag) return c.body(null, 304, headers)
  return c.body(body, 200, { ...headers, 'Content-Type': 'application/json' })
})
a2a.get('/.well-known/agent.json', (c) =>
  a2a.fetch(
    new Request(new URL('/.well-known/agent-card.json', c.req.url), c.req.raw),
    c.env,
    c.executionCtx,
  ),
)

a2a.get('/.well-known/jwks.json', (c) =>
  c.json(publicJwks(configOfContext(c)), 200, { 'Cache-Control': 'public, max-age=300' }),
)

a2a.post('/', requirePrincipal(), handleJsonRpc)
a2a.post('/v1/a2a', requirePrincipal(), handleJsonRpc)
