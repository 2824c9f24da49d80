/**
 * CORS for every reply of the Worker: what Hono's `cors` middleware answers, header for header,
 * with one difference in how. Hono's sets the headers on a placeholder response before the
 * handler runs, so each reply was made twice (Hono's `set res` copies the placeholder's headers
 * into a new Response): about a tenth of the agent card's CPU. Here they are set on the reply
 * itself once the handler has made it, as `secureHeaders` does.
 */
import type { MiddlewareHandler } from 'hono'
import { type AppEnv, configOfContext } from '../context'
import type { Config } from '../env'

interface Policy {
  /** The Access-Control-Allow-Origin for a request's Origin, or null for none. */
  allowOrigin(origin: string): string | null
  anyOrigin: boolean
  allowHeaders: string
}

/** Hono's default, which a preflight has always been answered with here. */
const ALLOW_METHODS = 'GET,HEAD,PUT,POST,DELETE,PATCH,QUERY'
const MAX_AGE = '600'
const EXPOSE = ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed'].join(',')

const policies = new WeakMap<Config, Policy>()

/** Per configuration (parsed once per isolate), not per request. */
function policyOf(config: Config): Policy {
  let policy = policies.get(config)
  if (!policy) {
    const origins = config.CORS_ORIGINS
    const listed = origins.split(',').map((o) => o.trim())
    policy = {
      allowOrigin:
        origins === '*' ? () => '*' : (origin) => (listed.includes(origin) ? origin : null),
      anyOrigin: origins === '*',
      allowHeaders: [
        ...new Set(['Authorization', config.A2A_AUTH_HEADER]),
        'Content-Type',
        'A2A-Version',
        'Last-Event-ID',
        'X-Request-Id',
        'Idempotency-Key',
      ].join(','),
    }
    policies.set(config, policy)
  }
  return policy
}

export function apiCors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const policy = policyOf(configOfContext(c))
    const allowOrigin = policy.allowOrigin(c.req.header('Origin') ?? '')
    // Every OPTIONS request is a preflight, answered here: no route serves OPTIONS.
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = {
        'Access-Control-Expose-Headers': EXPOSE,
        'Access-Control-Max-Age': MAX_AGE,
        'Access-Control-Allow-Methods': ALLOW_METHODS,
        'Access-Control-Allow-Headers': policy.allowHeaders,
        Vary: policy.anyOrigin
          ? 'Access-Control-Request-Headers'
          : 'Origin, Access-Control-Request-Headers',
      }
      if (allowOrigin) headers['Access-Control-Allow-Origin'] = allowOrigin
      return c.body(null, 204, headers)
    }
    await next()
    const headers = c.res.headers
    if (allowOrigin) headers.set('Access-Control-Allow-Origin', allowOrigin)
    headers.set('Access-Control-Expose-Headers', EXPOSE)
    if (!policy.anyOrigin) headers.append('Vary', 'Origin')
  }
}
