import { can } from '../../auth/permissions'
import type { Principal } from '../../auth/principal'
import type { Config } from '../../env'
import { serverRoomName } from './namespace'
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
 * Who the caller is in a room. LiveKit trusts a token's identity completely (a second join with
 * the same identity even disconnects the first), so a person is always themselves: the
 * identity is their principal's, and what they asked for is only the name shown. Only
 * media:admin may choose the identity, e.g. for a recorder or a bot.
 */
export function participantOf(caller: Principal, requested?: string) {
  const own = caller.userId ?? caller.subject
  if (requested && can(caller, 'media:admin')) return { identity: requested, name: requested }
  return { identity: own, name: requested ?? caller.name }
}

/**
 * A token for the caller in one of their tenant's rooms with its role's grants, and the link
 * that joins with it; what both `POST /v1/livekit/token` and the Media agent hand out. The
 * reply names the room as the tenant does; only the token carries LiveKit's name for it.
 */
export async function joinDetails(
  config: Config,
  s: LiveKitServer,
  caller: Principal,
  opts: {
    room: string
    identity?: string
    role?: LiveKitRole
    metadata?: string
    ttlSeconds?: number
  },
) {
  const role = opts.role ?? 'participant'
  // Callers check first so the refusal is a 403 and audited; this only keeps a new caller honest.
  if (role === 'admin' && !can(caller, 'media:admin')) {
    throw new Error('An admin token for a LiveKit room needs media:admin')
  }
  const who = participantOf(caller, opts.identity)
  const { token, expiresAt } = await mintToken(s, {
    identity: who.identity,
    name: who.name,
    grant: grantFor(role, serverRoomName(caller.tenantId, opts.room)),
    ttlSeconds: opts.ttlSeconds ?? 3600,
    metadata: opts.metadata,
  })
  const join = new URL(config.LIVEKIT_JOIN_URL)
  join.searchParams.set('liveKitUrl', s.url)
  join.searchParams.set('token', token)
  return {
    room: opts.room,
    identity: who.identity,
    name: who.name,
    access_token: token,
    join_url: join.toString(),
    expires_at: expiresAt.toISOString(),
  }
}
