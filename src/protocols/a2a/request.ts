import { ServerCallContext } from '@a2a-js/sdk/server'
import type { Context } from 'hono'
import type { AppEnv } from '../../context'
import { scopeOf } from '../rest/scope'
import { PlatformRequestHandler } from './handler'

/**
 * The handler and SDK call context for one A2A request (JSON-RPC or HTTP+JSON), with an
 * abort controller that ends its streams when the client goes away.
 */
export function a2aRequest(c: Context<AppEnv>, version: '0.3' | '1.0', afterSeq?: number) {
  const scope = scopeOf(c)
  const abort = new AbortController()
  const handler = new PlatformRequestHandler({
    ...scope,
    baseUrl: new URL(c.req.url).origin,
    version,
    afterSeq,
    signal: abort.signal,
  })
  const context = new ServerCallContext({
    requestedVersion: version,
    user: { isAuthenticated: true, userName: scope.principal.name },
  })
  return { handler, context, abort }
}
