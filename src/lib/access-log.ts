import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../context'
import { log } from './log'

/** Reads that change nothing; made without a credential, they are public documents. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * One JSON line per request: id, method, path (never the query string, which may carry a
 * token), status, duration, and who called. Headers and bodies are never logged.
 *
 * Not logged: an anonymous read that succeeded (the agent card, JWKS, /health, the UI's
 * files, CORS preflights). Nobody is accountable for it, /metrics counts it, and the print
 * was the largest part of serving it (a console.log costs more than building the card's
 * reply). Every request with a principal, every write and every refusal or failure is logged.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now()
    await next()
    const principal = c.get('principal')
    if (!principal && READS.has(c.req.method) && c.res.status < 400) return
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
