import type { Context, MiddlewareHandler } from 'hono'
import { badRequest, errorResponse } from './errors'
import { rpcError, rpcIdOf } from './jsonrpc'

/**
 * JSON that parses can still be unfit to store or walk: Postgres text and jsonb cannot hold
 * NUL (\u0000) or half a surrogate pair ("\ud800" parses, but has no UTF-8 form: on its way
 * to Postgres it is refused or silently replaced), and nesting thousands deep overflows the
 * stack of whatever walks it next (zod, JSON.stringify, the SDKs). One check of the parsed
 * value, before any route sees it, so that every protocol refuses the same shapes and names
 * the field.
 */
export const MAX_JSON_DEPTH = 64

export interface JsonProblem {
  where: 'body' | 'query'
  /** From the body's root (`params.message.parts.0.text`), or the query parameter's name. */
  path: string
  message: string
}

const NUL = '\u0000'
const NUL_MESSAGE = 'NUL (\\u0000) is not allowed'
const LONE_SURROGATE = /\p{Cs}/u

/** Why a string cannot be stored as text, if it cannot. */
function textProblem(s: string): string | undefined {
  if (s.includes(NUL)) return NUL_MESSAGE
  if (LONE_SURROGATE.test(s)) return 'half a UTF-16 surrogate pair (\\ud800-\\udfff) is not text'
  return undefined
}

/** Deep paths are cut: their first segments say where the nesting starts. */
const pathText = (path: readonly (string | number)[]) =>
  path.length > 8 ? `${path.slice(0, 8).join('.')}.…` : path.join('.')

/** The first problem in a parsed JSON value, walked without recursion (depth is the point). */
export function findJsonProblem(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): JsonProblem | undefined {
  const problem = (path: (string | number)[], message: string): JsonProblem => ({
    where: 'body',
    path: pathText(path),
    message,
  })
  const stack: [unknown, (string | number)[], number][] = [[value, [], 0]]
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, path, depth] = item
    if (typeof v === 'string') {
      const unfit = textProblem(v)
      if (unfit) return problem(path, unfit)
      continue
    }
    if (!v || typeof v !== 'object') continue
    if (depth >= maxDepth) return problem(path, `nested deeper than ${maxDepth} levels`)
    const entries: [string | number, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [i, x])
      : Object.entries(v)
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i] as [string | number, unknown]
      const unfit = typeof k === 'string' ? textProblem(k) : undefined
      if (unfit) {
        const shown = (k as string).replaceAll(NUL, '\\u0000').replace(/\p{Cs}/gu, '\ufffd')
        return problem([...path, shown], `${unfit} in a key`)
      }
      stack.push([child, [...path, k], depth + 1])
    }
  }
  return undefined
}

/** How a protocol answers a refused request; `body` is the parsed body (for a JSON-RPC id). */
export type JsonRefusal = (c: Context, problem: JsonProblem, body: unknown) => Response

/** REST: a 400 in the one error shape, the field in `details` as the route schemas name them. */
export const restRefusal: JsonRefusal = (c, p) =>
  errorResponse(c, badRequest(`Invalid request ${p.where}`, [{ path: p.path, message: p.message }]))

/** JSON-RPC (A2A and MCP): -32602 for a field of params, else -32600, naming the field. */
export const jsonRpcRefusal: JsonRefusal = (c, p, body) => {
  const inParams = p.where === 'body' && (p.path === 'params' || p.path.startsWith('params.'))
  const where = p.where === 'query' ? `query.${p.path}` : p.path
  const [code, kind] = inParams ? [-32602, 'Invalid params'] : [-32600, 'Invalid request']
  return c.json(rpcError(rpcIdOf(body), code, `${kind}: ${where}: ${p.message}`))
}

/** Bodies that may be JSON: declared so, or undeclared (JSON-RPC clients often omit it). */
const JSON_TYPES = /json|^text\/plain|^$/i
/** What `curl -d` says of any body it sends. */
const FORM = /^application\/x-www-form-urlencoded/i

/** Whether a body's first non-blank byte opens a JSON object or array. */
function looksLikeJson(bytes: ArrayBuffer): boolean {
  const view = new Uint8Array(bytes)
  for (const b of view) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue
    return b === 0x7b || b === 0x5b
  }
  return false
}

/**
 * Refuses NUL in query values, and JSON bodies `findJsonProblem` objects to, with the
 * protocol's `refusalFor(c)`. The body is read once (its size is limited before this) and the
 * same bytes are handed on; a body that is not JSON passes untouched, for each route to answer
 * in its own protocol.
 */
export function guardJson(refusalFor: (c: Context) => JsonRefusal): MiddlewareHandler {
  return async (c, next) => {
    // Most requests carry no query: no URL to parse for them.
    const query = c.req.url.indexOf('?')
    for (const [name, value] of query < 0 ? [] : new URLSearchParams(c.req.url.slice(query))) {
      const unfit = textProblem(value)
      if (unfit) return refusalFor(c)(c, { where: 'query', path: name, message: unfit }, undefined)
    }
    let raw = c.req.raw
    // An empty body is no body, whatever type it names: aiohttp (the original CodeTether's
    // worker) sends a bare POST with Content-Length 0 and a Content-Type, which routes whose
    // body is optional would otherwise refuse as a wrong type or malformed JSON.
    if (raw.body && raw.headers.get('content-length') === '0') {
      const headers = new Headers(raw.headers)
      headers.delete('content-type')
      raw = new Request(raw.url, { method: raw.method, headers, signal: raw.signal })
      c.req.raw = raw
    }
    const type = raw.headers.get('content-type') ?? ''
    const rest = c.req.path.startsWith('/v1/')
    if (!raw.body || !(JSON_TYPES.test(type) || (rest && FORM.test(type)))) return next()
    const bytes = await raw.arrayBuffer()
    c.req.raw = new Request(raw, { body: bytes })
    if (rest && (!type || FORM.test(type)) && looksLikeJson(bytes)) {
      // `curl -d '{…}'` without -H labels JSON as a form, or nothing at all (the original
      // CodeTether's README examples do both, and its server read them as JSON): so does the
      // REST API. A cookie session's request is origin-checked, so a cross-site form gains
      // nothing by it.
      const headers = new Headers(raw.headers)
      headers.set('content-type', 'application/json')
      c.req.raw = new Request(raw, { body: bytes, headers })
    }
    let body: unknown
    try {
      body = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      return next()
    }
    const problem = findJsonProblem(body)
    return problem ? refusalFor(c)(c, problem, body) : next()
  }
}
