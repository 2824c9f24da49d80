import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { joinDetails, liveKitOf, NOT_CONFIGURED } from '../../agents/livekit/join'
import { RoomName } from '../../agents/livekit/namespace'
import { requirePermission } from '../../auth/authorize'
import { type AppEnv, configOfContext, principalOf } from '../../context'
import { ApiError, validationHook } from '../../lib/errors'
import { jsonContent } from './openapi'
import { LiveKitError, LiveKitToken } from './schemas/livekit'

/** POST /v1/livekit/token: upstream's join token for a LiveKit room. */
export const liveKitApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const TokenRequest = z
  .object({
    /** The tenant's own name; rooms of other tenants cannot be named. */
    room_name: RoomName,
    /** The identity with media:admin; otherwise only the name shown (see participantOf). */
    identity: z.string().min(1).max(128),
    role: z.enum(['admin', 'participant', 'viewer']).default('participant'),
    metadata: z.union([z.string().max(4096), z.record(z.string(), z.unknown())]).optional(),
    ttl_minutes: z.number().int().min(1).max(1440).default(60),
  })
  .openapi('LiveKitTokenRequest')

liveKitApi.openapi(
  createRoute({
    method: 'post',
    path: '/token',
    request: {
      body: { content: { 'application/json': { schema: TokenRequest } }, required: true },
    },
    responses: {
      200: jsonContent(LiveKitToken, 'A token LiveKit accepts, with the grants of the role'),
      403: jsonContent(LiveKitError, 'role admin without media:admin'),
      503: jsonContent(LiveKitError, 'LiveKit is not configured'),
    },
  }),
  async (c) => {
    const b = c.req.valid('json')
    const caller = principalOf(c)
    // roomAdmin lets its holder remove and mute anyone in the room: more than joining.
    if (b.role === 'admin') requirePermission(c, caller, 'media:admin')
    const config = configOfContext(c)
    const server = liveKitOf(config)
    if (!server) throw new ApiError(503, 'livekit_not_configured', NOT_CONFIGURED)
    const details = await joinDetails(config, server, caller, {
      room: b.room_name,
      identity: b.identity,
      role: b.role,
      metadata: typeof b.metadata === 'object' ? JSON.stringify(b.metadata) : b.metadata,
      ttlSeconds: b.ttl_minutes * 60,
    })
    return c.json(details, 200)
  },
)
