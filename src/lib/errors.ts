import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ZodError } from 'zod'
import { sqlState } from './db-error'
import { log } from './log'

/** The one error shape of the REST API: `{ "error": { "code", "message", "details"? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

/** An error that is the caller's to fix or know about; anything else becomes a 500. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra reply headers, such as Retry-After or WWW-Authenticate. */
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'bad_request', message, details)
export const unauthorized = (message: string) =>
  new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' })
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message)
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`)
export const conflict = (message: string, details?: unknown) =>
  new ApiError(409, 'conflict', message, details)

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

export function errorResponse(c: Context, err: ApiError): Response {
  return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers)
}

/** zod issues as `[{ path: "a.b", message }]`: enough to fix the request, nothing internal. */
export function zodDetails(err: ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
}

const statusCodes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
}

/** Constraint errors a request can cause (a race, a stale id) are the caller's 4xx. */
const sqlStateErrors: Record<string, () => ApiError> = {
  '23503': () => conflict('A row this request refers to does not exist (any more)'),
  '23505': () => conflict('That already exists'),
  '22P02': () => badRequest('A value has the wrong format'),
  '23514': () => badRequest('A value is out of the allowed range'),
  // NUL (\u0000), which text and jsonb cannot hold: bodies are refused earlier, naming the field.
  '22021': () => badRequest('A value holds a character that cannot be stored (such as NUL)'),
  '22P05': () => badRequest('A value holds a character that cannot be stored (such as NUL)'),
}

/** The caller's error in `err` (an ApiError, a constraint a request broke, bad input), if any. */
export function callerError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err
  const state = sqlState(err)
  if (state && Object.hasOwn(sqlStateErrors, state)) return sqlStateErrors[state]?.()
  if (err instanceof ZodError) return badRequest('Request validation failed', zodDetails(err))
  return undefined
}

/** Hono's onError: every thrown error leaves as the one error shape, never as a stack trace. */
export function handleError(err: Error, c: Context): Response {
  const known = callerError(err)
  if (known) return errorResponse(c, known)
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode
    const code = statusCodes[status] ?? 'bad_request'
    return c.json(errorBody(code, err.message || code.replaceAll('_', ' ')), status)
  }
  const requestId = c.get('requestId') as string | undefined
  log.error('unhandled error', { request_id: requestId, error: err })
  return c.json(errorBody('internal_error', `Internal error (request id ${requestId})`), 500)
}

/** zod-openapi's defaultHook: a request that fails its route schema gets a 400 naming fields. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined
  const where = result.target === 'json' ? 'body' : (result.target ?? 'request')
  return errorResponse(c, badRequest(`Invalid request ${where}`, zodDetails(result.error)))
}
