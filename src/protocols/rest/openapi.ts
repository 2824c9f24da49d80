import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi'

/** A JSON response (or body) entry of a route definition. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})

type Request = NonNullable<RouteConfig['request']>
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/**
 * A route that answers JSON 200 with `response` (documented, and the handler's `c.json(…, 200)`
 * is type-checked against it); only method, path, inputs and answer differ.
 */
export const route = <P extends string, S extends z.ZodType, R extends Request = Request>(
  method: Method,
  path: P,
  request: R | undefined,
  response: S,
  description = 'OK',
) =>
  createRoute({
    method,
    path,
    request: request as R,
    responses: { 200: jsonContent(response, description) },
  })

/** A required JSON body validated by `schema`. */
export const body = <S extends z.ZodType>(schema: S) => ({
  body: { content: { 'application/json': { schema } }, required: true },
})
