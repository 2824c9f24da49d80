/**
 * A fake LiveKit server at the wire: the RoomService over Twirp JSON
 * (`/twirp/livekit.RoomService/<Method>`), authorised by an access token signed with the API
 * secret, as LiveKit checks it. Like a real server it holds one namespace of rooms for every
 * caller, which is what the tenant tests need to see.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jwtVerify } from 'jose'

export const API_KEY = 'lk-test-key'
export const API_SECRET = 'lk-test-secret-that-is-long-enough'
export const secret = new TextEncoder().encode(API_SECRET)

export interface FakeRoom {
  name: string
  sid: string
  num_participants: number
  participants: { identity: string; name?: string }[]
}

export interface FakeLiveKit {
  /** ws:// URL, as LIVEKIT_URL is given. */
  url: string
  /** The worker vars that point at this server. */
  vars: Record<string, string>
  /** Every room under its server name (the one a token's grant names). */
  rooms: Map<string, FakeRoom>
  /** Every authorised call: its method, the token's video grant and the request body. */
  calls: { method: string; grant: Record<string, unknown>; input: Record<string, unknown> }[]
  /** Someone joined a room with a token; like LiveKit, joining opens a room that is not open. */
  join(serverName: string, identity: string): void
  close(): Promise<void>
}

export async function startFakeLiveKit(): Promise<FakeLiveKit> {
  const rooms = new Map<string, FakeRoom>()
  const calls: FakeLiveKit['calls'] = []
  const open = (name: string) => {
    const room = rooms.get(name) ?? {
      name,
      sid: `RM_${rooms.size + 1}`,
      num_participants: 0,
      participants: [],
    }
    rooms.set(name, room)
    return room
  }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', async () => {
      const method = (req.url ?? '').replace('/twirp/livekit.RoomService/', '')
      const send = (status: number, obj: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj))
      const input = JSON.parse(body || '{}') as Record<string, unknown>
      let grant: Record<string, unknown>
      try {
        const token = String(req.headers.authorization).replace(/^Bearer /, '')
        const { payload } = await jwtVerify(token, secret, { issuer: API_KEY })
        grant = (payload.video ?? {}) as Record<string, unknown>
      } catch {
        return send(401, { code: 'unauthenticated', msg: 'bad token' })
      }
      calls.push({ method, grant, input })
      // LiveKit checks the grant of every RoomService call; so does the fake.
      const allowed =
        method === 'CreateRoom'
          ? grant.roomCreate === true
          : method === 'ListRooms'
            ? grant.roomList === true
            : grant.roomAdmin === true && grant.room === input.room
      if (!allowed) return send(403, { code: 'permission_denied', msg: 'permissions denied' })
      const view = ({ participants: _, ...room }: FakeRoom) => room
      if (method === 'CreateRoom') return send(200, view(open(String(input.name))))
      if (method === 'ListRooms') {
        const names = input.names as string[] | undefined
        const all = [...rooms.values()].filter((r) => !names?.length || names.includes(r.name))
        return send(200, { rooms: all.map(view) })
      }
      if (method === 'ListParticipants') {
        const room = rooms.get(String(input.room))
        if (!room) return send(404, { code: 'not_found', msg: 'requested room does not exist' })
        return send(200, { participants: room.participants })
      }
      send(404, { code: 'bad_route', msg: `no handler for ${method}` })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    vars: { LIVEKIT_URL: url, LIVEKIT_API_KEY: API_KEY, LIVEKIT_API_SECRET: API_SECRET },
    rooms,
    calls,
    join(serverName, identity) {
      const room = open(serverName)
      room.participants.push({ identity })
      room.num_participants = room.participants.length
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
