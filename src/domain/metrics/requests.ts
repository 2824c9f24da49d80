import type { MiddlewareHandler } from 'hono'
import { type AppEnv, redisOfContext } from '../../context'
import { count, flush, flushDue, observe } from '../../lib/counters'

/**
 * Requests by route pattern (never the raw path: ids would make a series per task), method
 * and status, with a latency histogram; flushes this isolate's deltas after the response.
 */
export function requestMetrics(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now()
    await next()
    const matched = c.req.routePath
    const route =
      c.res.status === 404 && (matched === '/*' || matched === '*') ? 'unmatched' : matched
    const method = c.req.method
    count('codetether_http_requests_total', { method, route, status: c.res.status })
    observe(
      'codetether_http_request_duration_seconds',
      { method, route },
      (Date.now() - started) / 1000,
    )
    if (flushDue()) {
      try {
        c.executionCtx.waitUntil(flush(redisOfContext(c)))
      } catch {
        // No Redis configured: /health says so; requests go on without metrics.
      }
    }
  }
}
