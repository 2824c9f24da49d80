import { SignJWT } from 'jose'

/** LiveKit's video grant (https://docs.livekit.io/home/get-started/authentication/). */
export interface VideoGrant {
  room?: string
  roomJoin?: boolean
  roomCreate?: boolean
  roomList?: boolean
  roomAdmin?: boolean
  canPublish?: boolean
  canSubscribe?: boolean
  canPublishData?: boolean
  hidden?: boolean
}

export type LiveKitRole = 'admin' | 'participant' | 'viewer'

/** What each role may do in the room it joins. */
export function grantFor(role: LiveKitRole, room: string): VideoGrant {
  const base = { room, roomJoin: true, canSubscribe: true }
  if (role === 'viewer') return { ...base, canPublish: false, canPublishData: false }
  if (role === 'admin') return { ...base, canPublish: true, canPublishData: true, roomAdmin: true }
  return { ...base, canPublish: true, canPublishData: true }
}

export interface LiveKitCredentials {
  apiKey: string
  apiSecret: string
}

/** An access token LiveKit accepts: HS256 JWT, iss = API key, sub = identity, `video` grant. */
export async function mintToken(
  creds: LiveKitCredentials,
  opts: {
    identity: string
    grant: VideoGrant
    ttlSeconds: number
    name?: string
    metadata?: string
  },
): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000)
  const claims: Record<string, unknown> = { video: opts.grant }
  if (opts.name) claims.name = opts.name
  if (opts.metadata) claims.metadata = opts.metadata
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(creds.apiKey)
    .setSubject(opts.identity)
    .setNotBefore(now)
    .setExpirationTime(now + opts.ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(creds.apiSecret))
  return { token, expiresAt: new Date((now + opts.ttlSeconds) * 1000) }
}
