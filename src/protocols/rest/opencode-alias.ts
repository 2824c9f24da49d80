import { Hono } from 'hono'
import type { AppEnv } from '../../context'

/**
 * The original CodeTether's worker calls `/v1/opencode/*` for what is `/v1/agent/*` here; its
 * server answered those paths with 307 (same method, body and headers), and so does this one.
 * The target authenticates as any request: that worker sends no token on these paths, so
 * against a server that asks for credentials it cannot register (README says so).
 */
export const opencodeAlias = new Hono<AppEnv>().all('/v1/opencode/*', (c) => {
  const url = new URL(c.req.url)
  const to = `/v1/agent/${url.pathname.slice('/v1/opencode/'.length)}${url.search}`
  return c.redirect(to, 307)
})
