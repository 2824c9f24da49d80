/** The Media agent against a local server speaking LiveKit's RoomService (Twirp JSON). */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { jwtVerify } from 'jose'
import { TokenVerifier } from 'livekit-server-sdk'
import type { Child } from '../scripts/stack/proc'
import { roomPrefix } from '../src/agents/livekit/namespace'
import { rpc } from './a2a-helpers'
import {
  API_KEY,
  API_SECRET,
  type FakeLiveKit,
  secret,
  startFakeLiveKit,
} from './fakes/livekit-server'
import { stack, stackVars, startTestWorker } from './helpers'

let livekit: FakeLiveKit
let worker: Child
let url: string
/** The dev tenant's rooms as LiveKit names them. */
let prefix: string

before(async () => {
  livekit = await startFakeLiveKit()
  const vars = stackVars()
  prefix = roomPrefix(vars.DEFAULT_TENANT_ID ?? '')
  const started = await startTestWorker('media-worker', { ...vars, ...livekit.vars })
  worker = started.worker
  url = started.url
})
after(async () => {
  await worker?.stop()
  await livekit?.close()
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
    assert.ok(livekit.rooms.has(`${prefix}standup`))
    assert.equal(answer.data?.room, 'standup')
    assert.equal(livekit.calls.find((c) => c.method === 'CreateRoom')?.grant.roomCreate, true)
    const token = answer.data?.access_token as string
    const { payload } = await jwtVerify(token, secret, { issuer: API_KEY })
    assert.deepEqual(payload.video, {
      room: `${prefix}standup`,
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
    assert.equal(list.text, 'Rooms: standup.')
    livekit.join(`${prefix}standup`, 'alice')
    const info = await ask('room info standup')
    assert.equal(info.text, 'standup: 1 participant(s): alice.')
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
      // The dev principal is an admin: media:admin chooses the identity.
      assert.equal(claims.sub, 'bob')
      assert.equal(reply.identity, 'bob')
      assert.equal(reply.room, 'standup')
      assert.equal(claims.video?.room, `${prefix}standup`)
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
