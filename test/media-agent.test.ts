/** The Media agent against a local server speaking LiveKit's RoomService (Twirp JSON). */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { jwtVerify } from 'jose'
import { TokenVerifier } from 'livekit-server-sdk'
import type { Child } from '../scripts/stack/proc'
import { rpc } from './a2a-helpers'
import { stack, stackVars, startTestWorker } from './helpers'

const API_KEY = 'lk-test-key'
const API_SECRET = 'lk-test-secret-that-is-long-enough'
const secret = new TextEncoder().encode(API_SECRET)
const rooms = new Map<string, { name: string; sid: string; num_participants: number }>()
const calls: { method: string; grant: Record<string, unknown> }[] = []

let livekit: Server
let worker: Child
let url: string

/** Twirp JSON, authorised by a LiveKit access token signed with the API secret. */
function fakeLiveKit(): Server {
  return createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', async () => {
      const method = (req.url ?? '').replace('/twirp/livekit.RoomService/', '')
      try {
        const token = String(req.headers.authorization).replace(/^Bearer /, '')
        const { payload } = await jwtVerify(token, secret, { issuer: API_KEY })
        calls.push({ method, grant: payload.video as Record<string, unknown> })
      } catch {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"code":"unauthenticated","msg":"bad token"}')
        return
      }
      const input = JSON.parse(body || '{}')
      const reply = (obj: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(obj))
      if (method === 'CreateRoom') {
        const room = { name: input.name, sid: `RM_${rooms.size + 1}`, num_participants: 0 }
        rooms.set(room.name, room)
        return reply(room)
      }
      if (method === 'ListRooms') return reply({ rooms: [...rooms.values()] })
      if (method === 'ListParticipants')
        return reply({ participants: input.room === 'standup' ? [{ identity: 'alice' }] : [] })
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"bad_route"}')
    })
  })
}

before(async () => {
  livekit = fakeLiveKit()
  await new Promise<void>((r) => livekit.listen(0, '127.0.0.1', r))
  const lkPort = (livekit.address() as { port: number }).port
  const started = await startTestWorker('media-worker', {
    ...stackVars(),
    LIVEKIT_URL: `ws://127.0.0.1:${lkPort}`,
    LIVEKIT_API_KEY: API_KEY,
    LIVEKIT_API_SECRET: API_SECRET,
  })
  worker = started.worker
  url = started.url
})
after(async () => {
  await worker?.stop()
  await new Promise((r) => livekit.close(r))
})

async function ask(text: string) {
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack().devToken}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'message/send',
      params: {
        message: {
          kind: 'message',
          messageId: crypto.randomUUID(),
          role: 'user',
          parts: [{ kind: 'text', text }],
        },
      },
    }),
  })
  const task = (await res.json()).result
  const parts = task.status.message.parts as {
    kind: string
    text?: string
    data?: Record<string, string>
  }[]
  return {
    state: task.status.state as string,
    text: parts.find((p) => p.kind === 'text')?.text ?? '',
    data: parts.find((p) => p.kind === 'data')?.data,
  }
}

describe('Media agent (LiveKit)', () => {
  test('creates a room and mints a join token LiveKit accepts, with the participant grant', async () => {
    const answer = await ask('create media session called standup')
    assert.equal(answer.state, 'completed', answer.text)
    assert.ok(rooms.has('standup'))
    assert.equal(calls.find((c) => c.method === 'CreateRoom')?.grant.roomCreate, true)
    const token = answer.data?.access_token as string
    const { payload } = await jwtVerify(token, secret, { issuer: API_KEY })
    assert.deepEqual(payload.video, {
      room: 'standup',
      roomJoin: true,
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
    })
    assert.ok((payload.exp as number) > Date.now() / 1000)
    assert.match(answer.data?.join_url ?? '', /token=/)
  })

  test('joins, lists rooms and tells who is in one', async () => {
    const join = await ask('join room standup')
    assert.equal(join.state, 'completed')
    assert.equal(join.data?.room, 'standup')
    const list = await ask('list rooms')
    assert.match(list.text, /standup/)
    const info = await ask('room info standup')
    assert.match(info.text, /alice/)
  })

  test('without LiveKit configured the answer says what to set', async () => {
    const { body } = await rpc('message/send', {
      message: {
        kind: 'message',
        messageId: 'm',
        role: 'user',
        parts: [{ kind: 'text', text: 'start video call' }],
      },
    })
    assert.equal(body.result.status.state, 'failed')
    assert.match(body.result.status.message.parts[0].text, /LIVEKIT_URL/)
  })

  test('POST /v1/livekit/token: a token LiveKit verifies, with the grants of each role', async () => {
    const token = (body: Record<string, unknown>) =>
      fetch(`${url}/v1/livekit/token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${stack().devToken}`,
        },
        body: JSON.stringify(body),
      })
    const verifier = new TokenVerifier(API_KEY, API_SECRET)
    for (const [role, publish, admin] of [
      ['participant', true, undefined],
      ['viewer', false, undefined],
      ['admin', true, true],
    ] as const) {
      const res = await token({
        room_name: 'standup',
        identity: 'bob',
        role,
        metadata: { team: 'a' },
        ttl_minutes: 5,
      })
      assert.equal(res.status, 200)
      const reply = await res.json()
      const claims = await verifier.verify(reply.access_token)
      assert.equal(claims.sub, 'bob')
      assert.equal(claims.video?.room, 'standup')
      assert.equal(claims.video?.roomJoin, true)
      assert.equal(claims.video?.canPublish, publish, role)
      assert.equal(claims.video?.roomAdmin, admin, role)
      assert.deepEqual(JSON.parse(claims.metadata ?? '{}'), { team: 'a' })
      const ttl = new Date(reply.expires_at).getTime() - Date.now()
      assert.ok(ttl > 4 * 60_000 && ttl <= 5 * 60_000, `expires in ${ttl} ms`)
      assert.equal(new URL(reply.join_url).searchParams.get('token'), reply.access_token)
    }
    // A signature with its first character changed (six whole bits) no longer verifies.
    const good: string = (await (await token({ room_name: 'x', identity: 'y' })).json())
      .access_token
    const [head, body, sig] = good.split('.') as [string, string, string]
    const forged = `${head}.${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`
    await assert.rejects(verifier.verify(forged))
    for (const bad of [
      { room_name: 'a b', identity: 'y' },
      { room_name: 'x', identity: 'y', ttl_minutes: 1441 },
      { identity: 'y' },
    ]) {
      const res = await token(bad)
      assert.equal(res.status, 400, JSON.stringify(bad))
    }
  })

  test('POST /v1/livekit/token without LiveKit configured: 503 saying what to set', async () => {
    const res = await fetch(`${stack().url}/v1/livekit/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack().devToken}` },
      body: JSON.stringify({ room_name: 'standup', identity: 'bob' }),
    })
    assert.equal(res.status, 503)
    assert.match((await res.json()).error.message, /LIVEKIT_API_KEY/)
  })
})
