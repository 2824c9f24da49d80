import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context'
import { log } from './log'

/**
 * One JSON line per request: id, method, path (never the query string, which may carry a
 * token), status, duration, and who called. Headers and bodies are never logged.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now()
    await next()
    const principal = c.get('principal')
    log.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Date.now() - started,
      tenant_id: principal?.tenantId,
      principal: principal?.name,
    })
  }
}
