import type { MiddlewareHandler } from 'hono'
import { type AppContext, type AppEnv, configOfContext } from '../context'
import { log } from './log'

/** Reads that change nothing; made without a credential, they are public documents. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Whether the request carries anything that could be a credential (or a session). */
function presentsCredential(c: AppContext): boolean {
  const { req } = c
  return (
    req.header('Authorization') !== undefined ||
    req.header('Cookie') !== undefined ||
    req.header(configOfContext(c).A2A_AUTH_HEADER) !== undefined
  )
}

/**
 * One JSON line per request: id, method, path (never the query string, which may carry a
 * token), status, duration, and who called. Headers and bodies are never logged. The line is
 * printed after the reply has gone.
 *
 * Not logged: a read that succeeded and carried no credential, cookie included (the agent
 * card, JWKS, /health, CORS preflights). Nobody is accountable for it, /metrics counts it,
 * and the print was the largest part of serving it (a console.log costs more than building
 * the card's reply). Every request that presents a credential (a /metrics scrape with its
 * token, a login callback with its cookie), every write and every refusal is logged.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now()
    await next()
    const principal = c.get('principal')
    const anonymousRead = READS.has(c.req.method) && c.res.status < 400 && !presentsCredential(c)
    if (!principal && anonymousRead) return
    const fields = {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Date.now() - started,
      tenant_id: principal?.tenantId,
      principal: principal?.name,
    }
    afterReply(c, () => log.info('request', fields))
  }
}

/**
 * Runs `write` once the reply has left, so the client does not wait for the print: a timer
 * fires on the event loop's next turn, after the runtime took the response (a microtask would
 * run before). Outside a Worker (a script calling `app.request`) there is no later: now.
 */
function afterReply(c: AppContext, write: () => void): void {
  let ctx: Pick<ExecutionContext, 'waitUntil'>
  try {
    ctx = c.executionCtx // hono throws when there is none
  } catch {
    write()
    return
  }
  ctx.waitUntil(
    new Promise<void>((resolve) =>
      setTimeout(() => {
        write()
        resolve()
      }, 0),
    ),
  )
}
