import type { Config } from '../env'
import type { LiveKitServer } from './rooms'
import { grantFor, type LiveKitRole, mintToken } from './token'

/** The configured LiveKit server, or undefined when any of its three settings is missing. */
export function liveKitOf(config: Config): LiveKitServer | undefined {
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret } = config
  return url && apiKey && apiSecret ? { url, apiKey, apiSecret } : undefined
}

export const NOT_CONFIGURED =
  'LiveKit is not configured: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET.'

/**
 * A token for one identity in one room with its role's grants, and the link that joins with
 * it; what both `POST /v1/livekit/token` and the Media agent hand out.
 */
export async function joinDetails(
  config: Config,
  s: LiveKitServer,
  opts: {
    room: string
    identity: string
    role?: LiveKitRole
    metadata?: string
    ttlSeconds?: number
  },
) {
  const { token, expiresAt } = await mintToken(s, {
    identity: opts.identity,
    grant: grantFor(opts.role ?? 'participant', opts.room),
    ttlSeconds: opts.ttlSeconds ?? 3600,
    metadata: opts.metadata,
  })
  const join = new URL(config.LIVEKIT_JOIN_URL)
  join.searchParams.set('liveKitUrl', s.url)
  join.searchParams.set('token', token)
  return {
    room: opts.room,
    identity: opts.identity,
    access_token: token,
    join_url: join.toString(),
    expires_at: expiresAt.toISOString(),
  }
}
