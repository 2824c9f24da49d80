/**
 * GET /v1/agent/api-keys/sync: the original CodeTether kept its users' provider keys on the
 * server and handed them to its worker, which wrote them into opencode's auth.json. Here keys
 * stay on the machine that uses them (the worker reads its environment and the coding CLIs'
 * logins), so the server has none to hand out: the answer is the original's shape with nothing
 * in it, and that worker goes on with the keys it has.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { validationHook } from '../../lib/errors'
import { route } from './openapi'

export const apiKeysApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Synced = z.object({
  auth: z.object({}).openapi({ description: "Provider keys for opencode's auth.json: none" }),
  providers: z.object({}).openapi({ description: 'Provider settings for opencode.json: none' }),
})

apiKeysApi.openapi(
  route(
    'get',
    '/sync',
    {
      query: z.object({
        worker_id: z.string().max(200).optional(),
        user_id: z.string().max(200).optional(),
      }),
    },
    Synced,
    'Nothing to sync: keys stay on the machine that uses them',
  ),
  (c) => c.json({ auth: {}, providers: {} }, 200),
)
