/**
 * The open-stream limits on every kind of event stream (monitor, task output, workspace,
 * worker channel, bus inbox, A2A JSON-RPC and HTTP+JSON, MCP), the bus agent limits, and
 * the agents listing in pages: each in a tenant of its own, against the real stack.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { freePort } from '../scripts/stack/ports'
import { rpcBody, v03Message, v10Message } from './a2a-helpers'
import {
  api,
  asTenant,
  connectAsOwner,
  newKey,
  newTenantAdmin,
  scriptCallsNaming,
  stack,
  stackVars,
  startTestWorker,
} from './helpers'
import {
  call,
  closeHeld,
  type Held,
  holdStream,
  type Json,
  refusedBy,
  setLimits,
} from './limits-helpers'
import { until } from './worker-helpers'

after(closeHeld)

/** Retries `attempt` until it opens a stream (or 45 s pass): a closed one's place comes back. */
async function opensSoon(attempt: () => Promise<Held>): Promise<Held> {
  const until = Date.now() + 45_000
  for (;;) {
    const r = await attempt()
    if (r.status === 200 || Date.now() > until) return r
    await new Promise((done) => setTimeout(done, 200))
  }
}

const message = (text: string) => ({ message: v10Message({}, text) })
/** One streamed message over the HTTP+JSON binding, read to its completed task. */
async function streamAnswered(token: string, base = '') {
  const r = await api(`${base}/a2a/rest/message:stream`, {
    token,
    method: 'POST',
    json: message('square root of 81'),
  })
  assert.match(await r.text(), /TASK_STATE_COMPLETED/)
}
const rpcStream = (version: '0.3' | '1.0') => ({
  method: 'POST',
  headers: { 'A2A-Version': version, 'Content-Type': 'application/json' },
  body: JSON.stringify(
    version === '1.0'
      ? rpcBody('SendStreamingMessage', message('square root of 81'), 7)
      : rpcBody('message/stream', { message: v03Message({}, 'square root of 81') }, 7),
  ),
})

describe('open streams', () => {
  let admin: string
  let tenantId: string
  let task: string

  before(async () => {
    ;({ key: admin, tenantId } = await newTenantAdmin())
    task = (await call(admin, 'POST', '/v1/agent/tasks', { prompt: 'p', agent_type: 'command' }))
      .body.id
    assert.equal((await call(admin, 'POST', '/v1/agents', { name: 'inbox:1' })).status, 200)
    await setLimits(admin, { open_streams_per_principal: 2 })
  })

  test('the third stream of a principal is a 429 on every kind of stream; another principal opens on; a closed one frees its place', async () => {
    const first = await holdStream(admin, '/v1/agents/inbox:1/stream')
    const second = await holdStream(admin, `/v1/agent/tasks/${task}/output/stream`)
    assert.deepEqual([first.status, second.status], [200, 200])

    const tasksBefore = (await call(admin, 'GET', '/v1/agent/tasks')).body.length
    for (const path of [
      '/v1/monitor/stream',
      `/v1/agent/tasks/${task}/output/stream`,
      '/v1/agent/workspaces/global/events',
      '/v1/worker/tasks/stream',
      '/v1/agents/inbox:1/stream',
    ]) {
      refusedBy(await holdStream(admin, path), 'open_streams_per_principal', 429)
    }
    const mcp = await holdStream(admin, '/mcp', {
      headers: { Accept: 'text/event-stream', 'MCP-Protocol-Version': '2025-06-18' },
    })
    refusedBy(mcp, 'open_streams_per_principal', 429)
    const rest = await holdStream(admin, '/a2a/rest/message:stream', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(message('square root of 81')),
    })
    assert.equal(rest.status, 429)
    assert.equal(rest.body.error.status, 'RESOURCE_EXHAUSTED')
    assert.equal(rest.body.error.details[0].metadata.limit, 'open_streams_per_principal')
    for (const version of ['0.3', '1.0'] as const) {
      const rpc = await holdStream(admin, '/', rpcStream(version))
      assert.equal(rpc.body.error?.code, -32029, JSON.stringify(rpc.body))
      assert.equal(rpc.body.error.data.details.limit, 'open_streams_per_principal')
      assert.equal(rpc.body.id, 7)
    }
    const tasksAfter = (await call(admin, 'GET', '/v1/agent/tasks')).body.length
    assert.equal(tasksAfter, tasksBefore, 'a refused message/stream made no task')

    const others = await holdStream(await newKey(tenantId, 'member', 'olga'), '/v1/monitor/stream')
    assert.equal(others.status, 200, 'another person of the tenant opens one')
    others.close()
    // A key the admin mints is the admin's: it does not multiply the admin's streams.
    const minted = await call(admin, 'POST', '/v1/auth/api-keys', { name: 'm', role: 'member' })
    refusedBy(
      await holdStream(minted.body.key, '/v1/monitor/stream'),
      'open_streams_per_principal',
      429,
    )

    // The server learns that a client left when it next writes to it: messages to the inbox
    // the closed stream listened on make it write.
    first.close()
    const again = await opensSoon(async () => {
      await call(admin, 'POST', '/v1/agents/inbox:1/messages', { text: 'anyone there?' })
      return holdStream(admin, '/v1/monitor/stream')
    })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    refusedBy(await holdStream(admin, '/v1/monitor/stream'), 'open_streams_per_principal', 429)
    again.close()
    second.close()
  })

  test('the tenant has its own bound across its principals', async () => {
    const own = await newTenantAdmin()
    const member = await newKey(own.tenantId, 'member', 'mia')
    await setLimits(own.key, { open_streams_per_principal: 2, open_streams_per_tenant: 3 })
    const opened = [
      await holdStream(own.key, '/v1/monitor/stream'),
      await holdStream(own.key, '/v1/monitor/stream'),
      await holdStream(member, '/v1/monitor/stream'),
    ]
    assert.deepEqual(
      opened.map((r) => r.status),
      [200, 200, 200],
    )
    refusedBy(await holdStream(member, '/v1/monitor/stream'), 'open_streams_per_tenant', 429)
    for (const r of opened) r.close()
  })

  test('a stream that ends by itself gives its place back', async () => {
    const mine = await newKey(tenantId, 'member', 'nils')
    await setLimits(admin, { open_streams_per_principal: 1 })
    // An answered A2A stream ends with the task, read to its end; then the place is free again.
    for (let i = 0; i < 3; i++) {
      const res = await opensSoon(async () => {
        const r = await api('/a2a/rest/message:stream', {
          token: mine,
          method: 'POST',
          json: message('square root of 81'),
        })
        const text = await r.text()
        return { status: r.status, body: r.status === 200 ? text : JSON.parse(text), close() {} }
      })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.match(res.body, /TASK_STATE_COMPLETED/)
    }
    await setLimits(admin, { open_streams_per_principal: null })
  })

  test('streams one after another: the first is admitted, each next takes over the place of the one before, the last place is given back', async () => {
    const mine = await newKey(tenantId, 'member', 'batch')
    // Admissions and releases are EVALs naming the principal's set of streams.
    const streams = `streams:{${tenantId}}:p:batch`
    const calls = await scriptCallsNaming(
      streams,
      async () => {
        for (let i = 0; i < 20; i++) await streamAnswered(mine)
      },
      2_500, // past the ended stream's place being kept (KEEP_MS)
    )
    // One admission and one release; without the hand-over, 20 admissions and their releases.
    assert.ok(calls >= 2 && calls < 8, `${calls} open-stream calls for 20 streams`)
    const redis = new Redis(stack().redisUrl)
    try {
      assert.equal(await redis.zcard(streams), 0, 'the last place came back')
    } finally {
      redis.disconnect()
    }
  })
})

describe('open streams under a short lease', () => {
  test('streams one after another keep their one place renewed, however short each is', async () => {
    const { worker, url } = await startTestWorker('streams-short-lease', {
      ...stackVars(),
      STREAM_LEASE_SECONDS: '6',
    })
    const redis = new Redis(stack().redisUrl)
    try {
      const { tenantId } = await newTenantAdmin()
      const mine = await newKey(tenantId, 'member', 'chain')
      const streams = `streams:{${tenantId}}:p:chain`
      // Past a whole lease (6 s, renewed every 2 s) of streams far shorter than that: each
      // takes over the place of the one before, and the place must be renewed on time.
      const end = Date.now() + 8_000
      while (Date.now() < end) await streamAnswered(mine, url)
      // The last stream's place, kept for the next: still counted, its lease ahead of now.
      const [id, score, ...more] = await redis.zrange(streams, '0', '-1', 'WITHSCORES')
      assert.ok(id && more.length === 0, `one place in the set: ${[id, score, ...more]}`)
      assert.ok(Number(score) > Date.now(), `its lease ran out at ${score}, now is ${Date.now()}`)
    } finally {
      redis.disconnect()
      await worker.stop()
    }
  })
})

describe('open streams with Redis away', () => {
  test('a stream goes through uncounted, and the log says why', async () => {
    const dead = await freePort() // nothing listens here
    const { worker, url, options } = await startTestWorker('streams-without-redis', {
      ...stackVars(),
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${dead}`,
    })
    try {
      const abort = new AbortController()
      const res = await api(`${url}/v1/monitor/stream`, { signal: abort.signal })
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
      abort.abort()
      const logged = () =>
        readFileSync(options.logFile, 'utf8').includes('open stream check failed')
      await until('a warning naming the failed check', async () => logged(), 5_000)
      assert.ok(logged(), 'a warning names the failed check')
    } finally {
      await worker.stop()
    }
  })
})

describe('bus agents', () => {
  let admin: string
  let tenantId: string
  const register = (name: string, extra: Json = {}, token = admin) =>
    call(token, 'POST', '/v1/agents', { name, ...extra })

  before(async () => {
    ;({ key: admin, tenantId } = await newTenantAdmin())
  })

  test('agents per tenant: the fourth new one is a 429; the registered ones register and beat on', async () => {
    await setLimits(admin, { agents: 3 })
    for (const n of ['a:1', 'a:2', 'a:3']) assert.equal((await register(n)).status, 200)
    refusedBy(await register('a:4'), 'agents', 429)
    const again = await register('a:2', { description: 'changed' })
    assert.equal(again.status, 200)
    assert.equal(again.body.agent.description, 'changed')
    assert.equal((await call(admin, 'POST', '/v1/agents/a:3/heartbeat')).status, 200)

    // Several at once: one place, one taker.
    assert.equal((await call(admin, 'DELETE', '/v1/agents/a:1')).status, 200)
    const rush = await Promise.all(['b:1', 'b:2', 'b:3', 'b:4'].map((n) => register(n)))
    assert.equal(rush.filter((r) => r.status === 200).length, 1)
    for (const r of rush.filter((x) => x.status !== 200)) refusedBy(r, 'agents', 429)

    // A lower limit keeps the agents there registering; only new ones are refused.
    await setLimits(admin, { agents: 1 })
    assert.equal((await register('a:2')).status, 200)
    refusedBy(await register('c:1'), 'agents', 429)
    await setLimits(admin, { agents: 3 })
  })

  test('an agent gone quiet past its TTL gives way to a new one', async () => {
    const owner = await connectAsOwner()
    try {
      const quiet = await asTenant(owner, tenantId, () =>
        owner.query(
          `update agents set last_seen_at = now() - interval '1 hour' where tenant_id = $1 and name = 'a:3'`,
          [tenantId],
        ),
      )
      assert.equal(quiet.rowCount, 1)
    } finally {
      await owner.end()
    }
    assert.equal((await register('d:1')).status, 200)
    assert.equal((await call(admin, 'GET', '/v1/agents/a:3')).status, 404, 'the quiet one went')
    refusedBy(await register('d:2'), 'agents', 429)
    await setLimits(admin, { agents: null })
  })

  test('a card over agent_card_bytes is a 413, also for a registered agent', async () => {
    const big = { capabilities: { notes: 'x'.repeat(20_000) } }
    refusedBy(await register('big:1', big), 'agent_card_bytes', 413)
    refusedBy(await register('a:2', big), 'agent_card_bytes', 413)
    await setLimits(admin, { agent_card_bytes: 1000 })
    refusedBy(await register('big:2', { description: 'é'.repeat(600) }), 'agent_card_bytes', 413)
    assert.equal((await register('small:1', { description: 'x'.repeat(900) })).status, 200)
    await setLimits(admin, { agent_card_bytes: null })
  })
})

describe('GET /v1/agents in pages', () => {
  let admin: string
  const names = Array.from({ length: 7 }, (_, i) => `pager:${i}`)

  before(async () => {
    ;({ key: admin } = await newTenantAdmin())
    for (const name of names) {
      assert.equal((await call(admin, 'POST', '/v1/agents', { name })).status, 200)
    }
  })

  /** Every page from `path` on, following Link rel="next". */
  async function pages(path: string) {
    const out: Json[][] = []
    let next: string | undefined = path
    while (next) {
      const r = await call(admin, 'GET', next)
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.ok(Array.isArray(r.body), 'the reply is the array it always was')
      out.push(r.body)
      next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1]
    }
    return out
  }

  test('limit and after page through the registered agents; built-ins lead the first page', async () => {
    const all = await pages('/v1/agents?limit=3')
    assert.deepEqual(
      all.map((p) => p.filter((a: Json) => a.kind !== 'builtin').length),
      [3, 3, 1],
    )
    assert.ok(all[0]?.some((a: Json) => a.kind === 'builtin'))
    assert.ok(all.slice(1).every((p) => p.every((a: Json) => a.kind !== 'builtin')))
    const listed = all.flat().filter((a: Json) => a.kind !== 'builtin')
    assert.deepEqual(
      listed.map((a: Json) => a.name),
      names,
    )

    const byRole = await pages('/v1/agents?role=pager&limit=5')
    assert.deepEqual(
      byRole.map((p) => p.length),
      [5, 2],
    )
    const unpaged = await call(admin, 'GET', '/v1/agents')
    assert.equal(unpaged.headers.get('link'), null, 'fewer than the default 100')
    assert.equal((await call(admin, 'GET', '/v1/agents?limit=501')).status, 400)
    assert.equal((await call(admin, 'GET', '/v1/agents?limit=0')).status, 400)

    const legacy = await pages('/agents?limit=4')
    assert.equal(legacy.flat().filter((a: Json) => a.kind !== 'builtin').length, 7)
  })
})
