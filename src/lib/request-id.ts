import type { MiddlewareHandler } from 'hono'
import { requestId } from 'hono/request-id'

/**
 * Hono's requestId (an incoming sane id kept, else a new one, as `c.var.requestId`), with the
 * header also set on the reply itself once it is made. Hono adds headers set before the
 * handler only to replies made through the context (c.json, c.body); a handler that returns
 * its own Response, an SSE stream or an MCP reply, would go without it.
 */
export function requestIds(): MiddlewareHandler {
  const assign = requestId()
  return (c, next) =>
    assign(c, async () => {
      await next()
      c.res.headers.set('X-Request-Id', c.get('requestId'))
    })
}
