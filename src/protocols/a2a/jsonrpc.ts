import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server'
import { JsonRpcTransportHandler } from '@a2a-js/sdk/server'
import type { Context } from 'hono'
import { requirePermission } from '../../auth/authorize'
import { a2aMethodPermission } from '../../auth/permissions'
import { type AppEnv, principalOf } from '../../context'
import { openStream, type StreamLease } from '../../domain/limits/open-streams'
import { ApiError } from '../../lib/errors'
import { type RpcId as Id, type RpcResponse, rpcError } from '../../lib/jsonrpc'
import { log } from '../../lib/log'
import { sseResponse } from '../../lib/sse'
import { scopeOf } from '../rest/scope'
import { normaliseLegacyRequest } from './legacy'
import { readableBody } from './media-types'
import { checkParams, isA2aMethod } from './params'
import { a2aRequest } from './request'
import { namedVersion, versionOf } from './versions'

/**
 * Our refusals by HTTP status, as JSON-RPC server errors (-32000 to -32099 are the
 * implementation's): a caller over its spending limit is told so, not "internal error".
 */
const REFUSAL_CODES: Record<number, number> = { 400: -32602, 402: -32020, 413: -32013, 429: -32029 }

/**
 * Internal errors leave with a request id, never with their message (it may hold anything);
 * a refusal of ours that the SDK reported as internal leaves as itself.
 */
function sanitise(res: RpcResponse, requestId: string, refusal?: ApiError): RpcResponse {
  if (res.error?.code !== -32603) return res
  if (refusal) {
    const data = { code: refusal.code, status: refusal.status, details: refusal.details }
    const code = REFUSAL_CODES[refusal.status] ?? -32000
    return { ...res, error: { code, message: refusal.message, data } }
  }
  log.error('a2a internal error', { request_id: requestId, error: res.error.message })
  return { ...res, error: { code: -32603, message: `Internal error (request id ${requestId})` } }
}

/** POST / and /v1/a2a: A2A JSON-RPC, v1.0 or v0.3 by A2A-Version. */
export async function handleJsonRpc(c: Context<AppEnv>): Promise<Response> {
  const contentType = c.req.header('Content-Type')
  if (!readableBody(contentType)) {
    const detail = `Content-Type ${contentType?.slice(0, 100)} is not supported: send application/json`
    return c.json(rpcError(null, -32005, detail))
  }
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    return c.json(rpcError(null, -32700, 'Parse error: the body is not valid JSON'))
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return c.json(rpcError(null, -32600, 'Invalid request: expected one JSON-RPC request object'))
  }
  const req = body as Record<string, unknown>
  const id: Id = typeof req.id === 'string' || typeof req.id === 'number' ? req.id : null
  if (
    req.jsonrpc !== '2.0' ||
    typeof req.method !== 'string' ||
    (req.id !== undefined && req.id !== null && id === null)
  ) {
    return c.json(
      rpcError(
        id,
        -32600,
        'Invalid request: needs jsonrpc "2.0", a string method and a string or number id',
      ),
    )
  }
  // A request that names no version speaks 0.3 (A2A v1.0 §3.6).
  const named = namedVersion(c) || '0.3'
  const version = versionOf(named)
  if (!version) {
    const shown = named.slice(0, 20)
    return c.json(rpcError(id, -32009, `A2A-Version ${shown} is not supported: use 1.0 or 0.3`))
  }
  const legacy = version === '0.3'
  if (!isA2aMethod(version, req.method)) {
    return c.json(rpcError(id, -32601, `Method not found: ${req.method.slice(0, 100)}`))
  }
  if (legacy) normaliseLegacyRequest(req)
  requirePermission(c, principalOf(c), a2aMethodPermission(req.method))
  // v0.3 names it the *authenticated* extended card, and its clients expect a refusal without
  // a credential, which dev mode's implicit principal is not. v1.0's GetExtendedAgentCard
  // follows the card's security requirements: none in dev mode.
  if (
    legacy &&
    req.method === 'agent/getAuthenticatedExtendedCard' &&
    principalOf(c).kind === 'dev'
  )
    return c.json(
      rpcError(
        id,
        -32007,
        'The authenticated extended card needs a credential: send Authorization: Bearer <token>',
      ),
    )
  const invalid = checkParams(req.method, req.params)
  if (invalid) return c.json(rpcError(id, -32602, invalid))

  const lastEventId = c.req.header('Last-Event-ID')
  const afterSeq = lastEventId === undefined ? undefined : Number(lastEventId)
  if (afterSeq !== undefined && (!Number.isInteger(afterSeq) || afterSeq < 0)) {
    return c.json(
      rpcError(
        id,
        -32602,
        'Last-Event-ID must be a non-negative integer (an event id this server sent)',
      ),
    )
  }
  const { handler, context, abort } = a2aRequest(c, legacy ? '0.3' : '1.0', afterSeq)
  const transport = legacy
    ? new LegacyJsonRpcTransportHandler(handler)
    : new JsonRpcTransportHandler(handler)
  const out = await transport.handle(req, context)
  const requestId = c.get('requestId')
  if (!(Symbol.asyncIterator in Object(out)))
    return c.json(sanitise(out as RpcResponse, requestId, handler.refusal))

  const it = (out as AsyncGenerator<RpcResponse>)[Symbol.asyncIterator]()
  const errorOf = (err: unknown) =>
    sanitise(rpcError(id, ...(legacy ? legacyCode(err) : v1Code(err))), requestId, handler.refusal)
  // The SDK's stream is lazy: nothing has run yet (no task made), so a refusal leaves nothing.
  let lease: StreamLease
  try {
    lease = await openStream(scopeOf(c), c.req.raw.signal)
  } catch (err) {
    await it.return?.(undefined)
    if (!(err instanceof ApiError)) throw err
    return c.json(sanitise(rpcError(id, -32603, err.message), requestId, err))
  }
  // Errors before the first event are plain JSON replies, as the SDK's servers do, except
  // for v0.3 resubscribe, which always answers with a stream.
  let first: IteratorResult<RpcResponse> | undefined
  if (!(legacy && req.method === 'tasks/resubscribe')) {
    try {
      first = await it.next()
    } catch (err) {
      lease.release()
      return c.json(errorOf(err))
    }
  }
  async function* items() {
    let next = first ?? (await it.next())
    while (!next.done) {
      yield { data: sanitise(next.value, requestId), id: handler.lastYieldedSeq }
      next = await it.next()
    }
  }
  return sseResponse(items(), {
    lease,
    onError: (err) => ({ event: 'error', data: errorOf(err) }),
    onCancel: () => abort.abort(),
    kind: 'a2a',
  })
}

function v1Code(err: unknown): [number, string] {
  const e = JsonRpcTransportHandler.mapToJSONRPCError(err)
  return [e.code, e.message]
}

function legacyCode(err: unknown): [number, string] {
  const e = LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(err)
  return [e.code, e.message]
}
