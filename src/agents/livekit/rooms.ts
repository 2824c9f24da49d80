import { serverRoomName, tenantRoomName } from './namespace'
import { type LiveKitCredentials, mintToken, type VideoGrant } from './token'

export interface LiveKitServer extends LiveKitCredentials {
  /** ws(s):// URL clients connect to; its http(s) twin serves the Twirp API. */
  url: string
}

/** A room as LiveKit reports it; `name` is the server's (prefixed) name. */
interface ServerRoom {
  name: string
  sid?: string
  num_participants?: number
  creation_time?: string | number
}

/** A tenant's room as the tenant sees it: its own name, nothing of other tenants. */
export interface Room {
  name: string
  sid?: string
  num_participants: number
}

export interface Participant {
  identity: string
  name?: string
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

/** Only the tenant's rooms, under the tenant's names; another tenant's never pass. */
const ownRooms = (tenantId: string, rooms: ServerRoom[] | undefined): Room[] =>
  (rooms ?? []).flatMap((r) => {
    const name = tenantRoomName(tenantId, r.name)
    return name === undefined
      ? []
      : [{ name, sid: r.sid, num_participants: r.num_participants ?? 0 }]
  })

/**
 * The RoomService as one tenant may use it. Every name goes in through serverRoomName and
 * comes out through tenantRoomName, so a tenant can neither name nor see another's room.
 */
export function tenantRooms(s: LiveKitServer, tenantId: string) {
  const find = async (room: string) => {
    const name = serverRoomName(tenantId, room)
    const { rooms } = await call<{ rooms?: ServerRoom[] }>(
      s,
      'ListRooms',
      { names: [name] },
      { roomList: true },
    )
    // Exact match as well: a server that ignored `names` must still not answer for another room.
    return ownRooms(
      tenantId,
      rooms?.filter((r) => r.name === name),
    )[0]
  }
  return {
    async create(room: string): Promise<Room> {
      const created = await call<ServerRoom>(
        s,
        'CreateRoom',
        { name: serverRoomName(tenantId, room), empty_timeout: 600 },
        { roomCreate: true },
      )
      return { name: room, sid: created.sid, num_participants: created.num_participants ?? 0 }
    },

    async list(): Promise<Room[]> {
      const { rooms } = await call<{ rooms?: ServerRoom[] }>(s, 'ListRooms', {}, { roomList: true })
      return ownRooms(tenantId, rooms)
    },

    /** Who is in one of the tenant's rooms; undefined when the tenant has no such room. */
    async participants(room: string): Promise<Participant[] | undefined> {
      if (!(await find(room))) return undefined
      const name = serverRoomName(tenantId, room)
      const { participants } = await call<{ participants?: Participant[] }>(
        s,
        'ListParticipants',
        { room: name },
        { roomAdmin: true, room: name },
      )
      return (participants ?? []).map((p) => ({ identity: p.identity, name: p.name }))
    },
  }
}
