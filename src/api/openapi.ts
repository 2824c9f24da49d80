import type { z } from '@hono/zod-openapi'

/** A JSON response (or body) entry of a route definition. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
