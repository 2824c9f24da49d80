import { type LiveKitCredentials, mintToken, type VideoGrant } from './token'

export interface LiveKitServer extends LiveKitCredentials {
  /** ws(s):// URL clients connect to; its http(s) twin serves the Twirp API. */
  url: string
}

export interface Room {
  name: string
  sid?: string
  num_participants?: number
  creation_time?: string | number
}

/** LiveKit's RoomService over Twirp JSON, authorised by a short-lived admin token. */
async function call<T>(
  server: LiveKitServer,
  method: string,
  body: object,
  grant: VideoGrant,
): Promise<T> {
  const { token } = await mintToken(server, { identity: 'codetether', grant, ttlSeconds: 60 })
  const base = server.url.replace(/^ws(s?):\/\//, 'http$1://').replace(/\/$/, '')
  const res = await fetch(`${base}/twirp/livekit.RoomService/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) {
    const detail = await res.text().catch(() => '')
    throw new Error(`LiveKit ${method} failed (${res.status}): ${detail.slice(0, 200)}`)
  }
  return (await res.json()) as T
}

export const createRoom = (s: LiveKitServer, name: string) =>
  call<Room>(s, 'CreateRoom', { name, empty_timeout: 600 }, { roomCreate: true })

export const listRooms = async (s: LiveKitServer) =>
  (await call<{ rooms?: Room[] }>(s, 'ListRooms', {}, { roomList: true })).rooms ?? []

export const listParticipants = async (s: LiveKitServer, room: string) =>
  (
    await call<{ participants?: { identity: string; name?: string }[] }>(
      s,
      'ListParticipants',
      { room },
      { roomAdmin: true, room },
    )
  ).participants ?? []
