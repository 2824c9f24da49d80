import { z } from '@hono/zod-openapi'

const when = z.iso.datetime()

/** An API key or worker token as listed (`describeKey`): its prefix, never its secret or hash. */
export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['api', 'worker']),
    key_prefix: z.string().openapi({ description: 'The first characters, to tell keys apart' }),
    role: z.enum(['admin', 'member', 'viewer', 'worker']),
    scopes: z.array(z.string()).openapi({ description: "['*'] when the key is not narrowed" }),
    user_id: z.string().nullable().openapi({ description: 'The person who created it' }),
    // One view serves both kinds; only a worker token carries the key.
    worker_id: z.string().nullable().optional().openapi({
      description: 'Worker tokens only: its worker, null until the first one registers with it',
    }),
    created_at: when,
    last_used_at: when.nullable(),
    expires_at: when.nullable(),
    revoked_at: when.nullable(),
  })
  .openapi('ApiKey')

export const ApiKeyCreated = ApiKey.extend({
  key: z.string().openapi({ description: 'The secret, shown in this reply only' }),
}).openapi('ApiKeyCreated')

export const WorkerTokenCreated = ApiKey.extend({
  token: z.string().openapi({ description: 'The secret, shown in this reply only' }),
}).openapi('WorkerTokenCreated')

export const ApiKeyRevoked = z
  .object({ success: z.literal(true), key: ApiKey })
  .openapi('ApiKeyRevoked')

export const WorkerTokenRevoked = z
  .object({ success: z.literal(true), token: ApiKey })
  .openapi('WorkerTokenRevoked')
