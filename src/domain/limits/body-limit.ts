import type { Context, MiddlewareHandler } from 'hono'
import { errorResponse } from '../../lib/errors'
import { type LimitName, overLimit } from './table'

/**
 * Refuses bodies over their limit (bodies.ts) with a 413 naming it. Like hono/body-limit, it
 * trusts Content-Length and otherwise counts a streamed body as it arrives; unlike it, it
 * reads an oversized stream to its end (discarding it) before answering. workerd keeps a
 * half-read request body attached to its connection, and the next request behind it then
 * waits forever; cancelling the stream instead breaks the connection for the request after it.
 */
export function limitBody(
  limitOf: (c: Context) => { name: LimitName; max: number },
): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body
    if (!body) return next()
    const { name, max } = limitOf(c)
    const tooLarge = (used?: number) =>
      errorResponse(c, overLimit(name, max, { used, what: 'Request body' }))
    const length = c.req.header('content-length')
    if (length !== undefined && !c.req.header('transfer-encoding')) {
      return Number(length) > max ? tooLarge(Number(length)) : next()
    }
    const chunks: Uint8Array[] = []
    let size = 0
    const reader = body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > max) {
        while (!(await reader.read()).done) {}
        return tooLarge()
      }
      chunks.push(value)
    }
    const buffer = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      buffer.set(chunk, offset)
      offset += chunk.byteLength
    }
    c.req.raw = new Request(c.req.raw, { body: buffer })
    return next()
  }
}
