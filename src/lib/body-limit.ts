import type { MiddlewareHandler } from 'hono'
import { ApiError, errorResponse } from './errors'

/**
 * Refuses bodies over `maxBytes` with a 413. Like hono/body-limit, it trusts Content-Length
 * and otherwise counts a streamed body as it arrives; unlike it, it reads an oversized
 * stream to its end (discarding it) before answering. workerd keeps a half-read request body
 * attached to its connection, and the next request behind it then waits forever; cancelling
 * the stream instead breaks the connection for the request after it.
 */
export function limitBody(maxBytes: () => number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body
    if (!body) return next()
    const max = maxBytes()
    const tooLarge = () =>
      errorResponse(c, new ApiError(413, 'payload_too_large', `Request body exceeds ${max} bytes`))
    const length = c.req.header('content-length')
    if (length !== undefined && !c.req.header('transfer-encoding')) {
      return Number(length) > max ? tooLarge() : next()
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
