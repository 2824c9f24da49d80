/**
 * Attacks on LiveKit rooms across tenants, against a fake LiveKit server at the wire that, like
 * a real one, holds a single namespace of rooms for everyone. Tenant B's people must not list,
 * inspect or get a token for tenant A's rooms; inside a tenant, only media:admin gets a room's
 * admin grant or picks an identity. Tenants come from a token claim, as in the tenant sweep.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { jwtVerify } from 'jose'
import { API_KEY, type FakeLiveKit, secret, startFakeLiveKit } from './fakes/livekit-server'
import { type FakeLlm, startFakeLlm } from './fakes/llm-server'
import { type FakeIdp, startFakeIdp } from './fakes/oidc-server'
import { stack, stackVars, startTestWorker } from './helpers'

const RUN = Math.random().toString(36).slice(2, 10)
let idp: FakeIdp
let livekit: FakeLiveKit
let llm: FakeLlm
let server: Awaited<ReturnType<typeof startTestWorker>>
/** Bearer tokens: A's admin and member, B's admin and member. */
const who: Record<'aAdmin' | 'aMember' | 'bAdmin' | 'bMember', string> = {
  aAdmin: '',
  aMember: '',
  bAdmin: '',
  bMember: '',
}

const post = (path: string, token: string, json: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(json),
    signal: AbortSignal.timeout(10_000),
  })

/** A LiveKit token from POST /v1/livekit/token: the reply, and what LiveKit reads in it. */
async function liveKitToken(token: string, body: Record<string, unknown>) {
  const res = await post('/v1/livekit/token', token, body)
  const reply = (await res.json()) as Record<string, string> & { error?: { message: string } }
  if (res.status !== 200) return { status: res.status, reply }
  const { payload } = await jwtVerify(reply.access_token ?? '', secret, { issuer: API_KEY })
  const video = payload.video as { room: string; roomAdmin?: boolean }
  return { status: res.status, reply, sub: payload.sub, name: payload.name, video }
}

/** One message to the built-in agents over A2A; its answer's state, text and data. */
async function askMedia(token: string, text: string, skill?: string) {
  const res = await post('/', token, {
    jsonrpc: '2.0',
    id: 1,
    method: 'message/send',
    params: {
      ...(skill ? { metadata: { skill } } : {}),
      message: {
        kind: 'message',
        messageId: crypto.randomUUID(),
        role: 'user',
        parts: [{ kind: 'text', text }],
      },
    },
  })
  const body = await res.json()
  assert.ok(body.result, JSON.stringify(body))
  const parts = body.result.status.message.parts as {
    kind: string
    text?: string
    data?: Record<string, unknown>
  }[]
  return {
    state: body.result.status.state as string,
    text: parts.find((p) => p.kind === 'text')?.text ?? '',
    data: parts.find((p) => p.kind === 'data')?.data,
  }
}

/** The room a join token is for, as LiveKit names it. */
async function serverRoomOf(accessToken: unknown): Promise<string> {
  const { payload } = await jwtVerify(String(accessToken), secret, { issuer: API_KEY })
  return (payload.video as { room: string }).room
}

before(async () => {
  const tenant = (s: string) => `lk-${s}-${RUN}`
  const user = (username: string, role: string, t: string) => ({
    username,
    password: 'pw',
    sub: username,
    roles: [role],
    claims: { ct_tenant: tenant(t) },
  })
  idp = await startFakeIdp({
    users: [
      user('ann', 'admin', 'a'),
      user('amy', 'member', 'a'),
      user('bob', 'admin', 'b'),
      user('bert', 'member', 'b'),
    ],
  })
  livekit = await startFakeLiveKit()
  // The Coordinator's model asks the Media agent to join a room, then says it is done.
  llm = await startFakeLlm(({ body }) =>
    toolResults(body).length
      ? { text: 'done' }
      : { toolCalls: [{ name: 'call_agent', args: { name: 'media', message: 'join room hub' } }] },
  )
  server = await startTestWorker('attack-livekit', {
    ...stackVars(),
    ...livekit.vars,
    COORDINATOR_MODEL: 'openai/fake-model',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${llm.url}/v1`,
    AUTH_MODE: 'production',
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_TENANT_CLAIM: 'ct_tenant',
  })
  for (const t of ['a', 'b']) {
    const res = await post('/v1/tenants', stack().devToken, { slug: tenant(t), display_name: t })
    assert.equal(res.status, 200, await res.text())
  }
  who.aAdmin = await idp.accessToken('ann')
  who.aMember = await idp.accessToken('amy')
  who.bAdmin = await idp.accessToken('bob')
  who.bMember = await idp.accessToken('bert')
})

after(async () => {
  await server?.worker.stop()
  await idp?.close()
  await livekit?.close()
  await llm?.close()
})

/** What the tools answered the Coordinator's model, in one request the model received. */
const toolResults = (body: { messages?: { role: string; content: unknown }[] }): string[] =>
  (body.messages ?? []).filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content))

describe('LiveKit rooms across tenants', () => {
  test('the same name is two rooms; each tenant lists only its own, without a prefix', async () => {
    const a = await askMedia(who.aMember, 'create media session called standup')
    const b = await askMedia(who.bMember, 'create media session called standup')
    assert.equal(a.state, 'completed', a.text)
    assert.equal(b.state, 'completed', b.text)
    const aRoom = await serverRoomOf(a.data?.access_token)
    const bRoom = await serverRoomOf(b.data?.access_token)
    assert.notEqual(aRoom, bRoom, 'one LiveKit room for both tenants')
    assert.ok(livekit.rooms.has(aRoom) && livekit.rooms.has(bRoom))
    for (const reply of [a, b]) {
      assert.equal(reply.data?.room, 'standup')
      assert.equal(reply.text.split(' Join:')[0], 'Created room standup.')
    }
    await askMedia(who.aMember, 'create media session called a-only')
    assert.equal((await askMedia(who.aMember, 'list rooms')).text, 'Rooms: standup, a-only.')
    const bList = await askMedia(who.bAdmin, 'list rooms')
    assert.equal(bList.text, 'Rooms: standup.')
    assert.deepEqual(bList.data?.rooms, [{ name: 'standup', participants: 0 }])
  })

  test("B cannot see who is in A's room, under its name or LiveKit's", async () => {
    const a = await askMedia(who.aMember, 'create media session called board')
    const aRoom = await serverRoomOf(a.data?.access_token)
    livekit.join(aRoom, 'ann')
    const mine = await askMedia(who.aMember, 'room info board')
    assert.equal(mine.text, 'board: 1 participant(s): ann.')
    assert.equal(mine.data?.room, 'board')
    for (const name of ['board', aRoom]) {
      const theirs = await askMedia(who.bAdmin, `room info ${name}`)
      assert.equal(theirs.state, 'failed', theirs.text)
      assert.ok(!theirs.text.includes('ann'), theirs.text)
    }
    assert.ok(
      !livekit.calls.some((c) => c.method === 'ListParticipants' && c.grant.room !== aRoom),
      'LiveKit was asked about a room that is not A’s',
    )
  })

  test("B's token for A's room name is for a room of B's, whatever the name", async () => {
    const a = await askMedia(who.aMember, 'create media session called secret')
    const aRoom = await serverRoomOf(a.data?.access_token)
    for (const room_name of ['secret', aRoom]) {
      const b = await liveKitToken(who.bAdmin, { room_name, identity: 'ann', role: 'admin' })
      assert.equal(b.status, 200)
      assert.notEqual(b.video?.room, aRoom, `B got a token for A's room via ${room_name}`)
      assert.ok(b.video?.room.endsWith(room_name))
      assert.equal(b.reply.room, room_name)
    }
    const join = await askMedia(who.bMember, 'join room secret')
    assert.notEqual(await serverRoomOf(join.data?.access_token), aRoom)
    assert.equal(join.data?.room, 'secret')
  })
})

describe('LiveKit roles and identities inside a tenant', () => {
  test('a member asking for role admin gets 403 naming media:admin; an admin gets it', async () => {
    const member = await liveKitToken(who.aMember, { room_name: 'standup', identity: 'amy' })
    assert.equal(member.status, 200)
    assert.equal(member.video?.roomAdmin, undefined)
    const refused = await liveKitToken(who.aMember, {
      room_name: 'standup',
      identity: 'amy',
      role: 'admin',
    })
    assert.equal(refused.status, 403)
    assert.match(refused.reply.error?.message ?? '', /media:admin/)
    const admin = await liveKitToken(who.aAdmin, {
      room_name: 'standup',
      identity: 'ann',
      role: 'admin',
    })
    assert.equal(admin.status, 200)
    assert.equal(admin.video?.roomAdmin, true)
    assert.equal(admin.reply.room, 'standup')
  })

  test("a member cannot take someone else's identity; an admin may name one", async () => {
    const member = await liveKitToken(who.aMember, { room_name: 'standup', identity: 'ann' })
    assert.equal(member.status, 200)
    assert.equal(member.sub, 'amy', 'the identity is the caller, not what they asked for')
    assert.equal(member.name, 'ann', 'what they asked for is only the name shown')
    assert.equal(member.reply.identity, 'amy')
    const joined = await askMedia(who.aMember, 'join room standup')
    assert.equal(joined.data?.identity, 'amy')
    const admin = await liveKitToken(who.aAdmin, { room_name: 'standup', identity: 'recorder' })
    assert.equal(admin.sub, 'recorder')
  })

  test('a key without media:join gets nothing from the Media agent', async () => {
    const res = await post('/v1/auth/api-keys', who.aMember, { name: 'tasks', scopes: ['tasks:*'] })
    const { key } = (await res.json()) as { key: string }
    const before = livekit.calls.length
    const answer = await askMedia(key, 'create media session called sneaky')
    assert.equal(answer.state, 'failed')
    assert.match(answer.text, /media:join/)
    assert.equal(answer.data, undefined)
    assert.equal(livekit.calls.length, before, 'LiveKit was called')
  })

  test('through the Coordinator the Media agent still acts for, and checks, who asked', async () => {
    const seen = llm.requests.length
    const asked = await askMedia(who.aMember, 'get me into the hub call', 'coordinator')
    assert.equal(asked.state, 'completed', asked.text)
    const answered = llm.requests.slice(seen).flatMap((r) => toolResults(r.body))
    const token = /token=([\w.-]+)/.exec(answered.join('\n'))?.[1]
    assert.ok(token, answered.join('\n'))
    const { payload } = await jwtVerify(token, secret, { issuer: API_KEY })
    assert.equal(payload.sub, 'amy', 'the identity is the person, not the Coordinator')

    const res = await post('/v1/auth/api-keys', who.aMember, { name: 'c', scopes: ['tasks:*'] })
    const { key } = (await res.json()) as { key: string }
    const before = llm.requests.length
    await askMedia(key, 'get me into the hub call', 'coordinator')
    const refused = llm.requests.slice(before).flatMap((r) => toolResults(r.body))
    assert.match(refused.join('\n'), /media:join/)
    assert.doesNotMatch(refused.join('\n'), /token=/)
  })
})
