import { OpenAPIHono } from '@hono/zod-openapi'
import pkg from '../package.json'
import { type AppContext, type AppEnv, configOfContext } from './context'
import { bodyLimitOf } from './domain/limits/bodies'
import { limitBody } from './domain/limits/body-limit'
import { requestMetrics } from './domain/metrics/requests'
import { accessLog } from './lib/access-log'
import { apiCors } from './lib/cors'
import { ApiError, errorResponse, handleError, validationHook } from './lib/errors'
import { guardJson, type JsonRefusal, jsonRpcRefusal, restRefusal } from './lib/json-guard'
import { requestIds } from './lib/request-id'
import { apiSecurityHeaders } from './lib/security-headers'
import { a2aRest, a2aRestRefusal } from './protocols/a2a/rest'
import { a2a } from './protocols/a2a/routes'
import { legacyAgentsApi } from './protocols/rest/agents'
import { authPublicApi } from './protocols/rest/auth'
import { health } from './protocols/rest/health'
import { mcpApi } from './protocols/rest/mcp'
import { metricsApi } from './protocols/rest/metrics'
import { routedPath } from './protocols/rest/original-paths'
import { v1 } from './protocols/rest/v1'

/** Each protocol's answer to a request the JSON guard refuses, by where it was sent. */
function jsonRefusalFor(method: string, path: string): JsonRefusal {
  if (path.startsWith('/a2a/rest/')) return a2aRestRefusal
  const rpc = path === '/' || path === '/v1/a2a' || path === '/mcp' || path.startsWith('/mcp/')
  return rpc && method === 'POST' ? jsonRpcRefusal : restRefusal
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, getPath: routedPath })

  // Outermost, so that every reply gets the headers: errors, 404s, CORS preflights, streams.
  app.use(apiSecurityHeaders())
  app.use(requestIds())
  app.use(accessLog())
  app.use(requestMetrics())
  app.use(apiCors())
  app.use(limitBody((c) => bodyLimitOf(configOfContext(c as AppContext), c.req.path)))
  app.use(guardJson((c) => jsonRefusalFor(c.req.method, c.req.path)))

  app.route('/', health)
  app.route('/', metricsApi)
  app.route('/', mcpApi)
  app.route('/', a2a)
  app.route('/', legacyAgentsApi)
  app.route('/a2a/rest', a2aRest)
  // Logging in needs no credentials: mounted before /v1's requirePrincipal().
  app.route('/v1/auth', authPublicApi)
  app.route('/v1', v1)

  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: 'CodeTether REST API', version: pkg.version },
    servers: [{ url: new URL(c.req.url).origin }],
  }))

  app.notFound((c) =>
    errorResponse(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`)),
  )
  app.onError(handleError)
  return app
}
