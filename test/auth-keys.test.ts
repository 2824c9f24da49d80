/**
 * API keys, worker tokens (driving a real `codetether worker`), roles and scopes, tenants,
 * rate limits and idempotency keys, on a Worker with production auth and a static token
 * as the operator.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { GATHER_MS } from '../src/domain/limits/tally'
import {
  asTenant,
  connectAsOwner,
  createTenant,
  scriptCallsNaming,
  stackVars,
  startTestWorker,
} from './helpers'
import { startWorker, tempDir, until } from './worker-helpers'

const OPERATOR = 'operator-token-for-tests'
let server: Awaited<ReturnType<typeof startTestWorker>>
let tenantId: string

const call = (path: string, token: string | null, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers)
  if (token) headers.set('Authorization', `Bearer ${token}`)
  if (init.json !== undefined) headers.set('Content-Type', 'application/json')
  const body = init.json === undefined ? init.body : JSON.stringify(init.json)
  return fetch(`${server.url}${path}`, { ...init, headers, body })
}
const json = async <T = Record<string, unknown>>(res: Response, status = 200): Promise<T> => {
  const text = await res.text()
  assert.equal(res.status, status, text)
  return JSON.parse(text) as T
}

async function newKey(by: string, body: Record<string, unknown>, path = '/v1/auth/api-keys') {
  return json<{ id: string; key?: string; token?: string; key_prefix: string }>(
    await call(path, by, { method: 'POST', json: body }),
  )
}

before(async () => {
  tenantId = await createTenant()
  server = await startTestWorker('auth-keys', {
    ...stackVars(),
    AUTH_MODE: 'production',
    A2A_AUTH_TOKENS: `ops:${OPERATOR}`,
    DEFAULT_TENANT_ID: tenantId,
    // High enough for the polling below; the limit test spends it with one fresh key.
    RATE_LIMIT_PER_PRINCIPAL: '300/10',
    RATE_LIMIT_PER_TENANT: '100000/60',
  })
})
after(() => server?.worker.stop())

describe('API keys', () => {
  test('a key is shown once, listed by prefix, works, and stops working when revoked', async () => {
    const key = await newKey(OPERATOR, { name: 'ci', role: 'member' })
    assert.match(key.key ?? '', /^ct_[\w-]{40,}$/)
    assert.ok(key.key?.startsWith(key.key_prefix))
    const listed = await json<Record<string, unknown>[]>(await call('/v1/auth/api-keys', OPERATOR))
    const row = listed.find((k) => k.id === key.id)
    assert.ok(row)
    assert.equal(row.key, undefined)
    assert.ok(!JSON.stringify(listed).includes(key.key ?? '?'))

    const me = await json(await call('/v1/auth/userinfo', key.key ?? ''))
    assert.deepEqual([me.auth, me.tenant_id, me.roles], ['api_key', tenantId, ['member']])
    await json(
      await call('/v1/agent/tasks', key.key ?? '', { method: 'POST', json: { prompt: 'hi' } }),
    )
    await until('last use is recorded', async () => {
      const keys = await json<{ id: string; last_used_at: string | null }[]>(
        await call('/v1/auth/api-keys', OPERATOR),
      )
      return keys.find((k) => k.id === key.id)?.last_used_at
    })

    await json(await call(`/v1/auth/api-keys/${key.id}`, OPERATOR, { method: 'DELETE' }))
    const revoked = await call('/v1/agent/tasks', key.key ?? '')
    assert.equal(revoked.status, 401)
    assert.equal(
      (await call(`/v1/auth/api-keys/${key.id}`, OPERATOR, { method: 'DELETE' })).status,
      404,
    )
  })

  test('scopes narrow a key, and a key never holds more than its creator', async () => {
    const reader = await newKey(OPERATOR, {
      name: 'reader',
      role: 'member',
      scopes: ['tasks:read'],
    })
    assert.equal((await call('/v1/agent/tasks', reader.key ?? '')).status, 200)
    const write = await call('/v1/agent/tasks', reader.key ?? '', {
      method: 'POST',
      json: { prompt: 'x' },
    })
    assert.equal(write.status, 403)
    assert.match(await write.text(), /tasks:write/)

    const viewer = await newKey(OPERATOR, { name: 'viewer', role: 'viewer' })
    const escalate = await call('/v1/auth/api-keys', viewer.key ?? '', {
      method: 'POST',
      json: { name: 'up', role: 'admin' },
    })
    assert.equal(escalate.status, 403)
    const own = await newKey(viewer.key ?? '', { name: 'own' })
    // Someone else's key in the same tenant: a non-admin neither lists nor revokes it.
    const owner = await connectAsOwner()
    const { rows } = await asTenant(owner, tenantId, () =>
      owner.query<{ id: string }>(
        `insert into api_keys (tenant_id, name, key_hash, key_prefix, user_id)
         values ($1, 'theirs', sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'ct_x', 'someone-else')
         returning id`,
        [tenantId],
      ),
    ).finally(() => owner.end())
    const mine = await json<{ id: string }[]>(await call('/v1/auth/api-keys', viewer.key ?? ''))
    assert.ok(mine.some((k) => k.id === own.id))
    assert.ok(!mine.some((k) => k.id === rows[0]?.id), 'a non-admin lists only their own keys')
    const theirs = await call(`/v1/auth/api-keys/${rows[0]?.id}`, viewer.key ?? '', {
      method: 'DELETE',
    })
    assert.equal(theirs.status, 404)

    const bad = await call('/v1/auth/api-keys', OPERATOR, {
      method: 'POST',
      json: { name: 'x', scopes: ['root'] },
    })
    assert.equal(bad.status, 400)
    assert.match(await bad.text(), /scopes/)
    const expired = await newKey(OPERATOR, {
      name: 'old',
      expires_at: new Date(Date.now() - 1000).toISOString(),
    })
    assert.equal((await call('/v1/agent/tasks', expired.key ?? '')).status, 401)
  })
})

describe('worker tokens', () => {
  test('a worker token runs a real worker and opens nothing else', async () => {
    const member = await newKey(OPERATOR, { name: 'm', role: 'member' })
    const denied = await call('/v1/auth/worker-tokens', member.key ?? '', {
      method: 'POST',
      json: { name: 'w' },
    })
    assert.equal(denied.status, 403)
    const { token } = await newKey(OPERATOR, { name: 'laptop' }, '/v1/auth/worker-tokens')
    assert.match(token ?? '', /^ctw_/)

    for (const [method, path] of [
      ['GET', '/v1/admin/export'],
      ['GET', '/v1/admin/audit'],
      ['POST', '/v1/agent/tasks'],
      ['POST', '/v1/auth/api-keys'],
      ['DELETE', '/v1/agent/codebases/x'],
    ] as const) {
      const res = await call(path, token ?? '', { method, json: method === 'GET' ? undefined : {} })
      assert.equal(res.status, 403, `${method} ${path}`)
    }

    const codebase = tempDir('wt-codebase')
    writeFileSync(join(codebase, 'hello.txt'), 'hi\n')
    const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
      server: server.url,
      env: { CODETETHER_TOKEN: token ?? '' },
      name: 'token-worker',
    })
    try {
      const workspace = await until('the worker registers its codebase', async () => {
        const rows = await json<{ id: string; worker_id: string | null }[]>(
          await call(`/v1/agent/codebases?path=${encodeURIComponent(codebase)}`, OPERATOR),
        )
        return rows.find((r) => r.worker_id)?.id
      })
      const task = await json<{ id: string }>(
        await call(`/v1/agent/codebases/${workspace}/tasks`, OPERATOR, {
          method: 'POST',
          json: { prompt: 'cat hello.txt', agent_type: 'command' },
        }),
      )
      const done = await until('the task completes', async () => {
        const t = await json<{ status: string }>(await call(`/v1/agent/tasks/${task.id}`, OPERATOR))
        return t.status === 'completed' && t
      })
      assert.ok(done)
    } finally {
      assert.equal(await worker.stop(), 0, worker.output())
    }
  })
})

describe('tenants and the operator', () => {
  test('the operator creates tenants; an admin renames their own and sees it audited', async () => {
    const slug = `op-${Math.random().toString(36).slice(2, 8)}`
    const created = await json<{ id: string; slug: string }>(
      await call('/v1/tenants', OPERATOR, { method: 'POST', json: { slug, display_name: 'Op' } }),
    )
    assert.equal(created.slug, slug)
    const all = await json<{ id: string }[]>(await call('/v1/tenants', OPERATOR))
    assert.ok(all.some((t) => t.id === created.id))
    const dup = await call('/v1/tenants', OPERATOR, {
      method: 'POST',
      json: { slug, display_name: 'Op' },
    })
    assert.equal(dup.status, 409)

    const admin = await newKey(OPERATOR, { name: 'admin', role: 'admin' })
    const refused = await call('/v1/tenants', admin.key ?? '', {
      method: 'POST',
      json: { slug: 'x', display_name: 'x' },
    })
    assert.equal(refused.status, 403)
    assert.match(await refused.text(), /platform:tenants/)
    const renamed = await json<{ display_name: string }>(
      await call('/v1/tenants/me', admin.key ?? '', {
        method: 'PATCH',
        json: { display_name: 'Renamed' },
      }),
    )
    assert.equal(renamed.display_name, 'Renamed')
    await until('the rename and the key creations are audited', async () => {
      const log = await json<{ action: string }[]>(await call('/v1/admin/audit', admin.key ?? ''))
      const actions = new Set(log.map((e) => e.action))
      return (
        actions.has('tenant_renamed') && actions.has('key_created') && actions.has('key_revoked')
      )
    })
  })
})

describe('limits', () => {
  test('a principal over its rate limit gets 429 with Retry-After', async () => {
    const key = await newKey(OPERATOR, { name: 'busy', role: 'viewer' })
    let limited: Response | undefined
    let admitted = 0
    // Concurrent batches: the counts reach Redis in batches too (src/domain/limits/tally.ts), and the
    // limit must still hold, not just show up eventually. A sliding window weighs the last
    // window's count down as time passes, so a burst that crosses a window's end may rightly
    // pass more than the limit: the burst starts in the first second of its 10 s window, so
    // a machine busy with other work still finishes it inside.
    while (Date.now() % 10_000 > 1_000) await new Promise((r) => setTimeout(r, 50))
    for (let sent = 0; sent < 340 && !limited; sent += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => call('/v1/agent/status', key.key ?? '')),
      )
      limited = batch.find((r) => r.status === 429)
      for (const r of batch) assert.ok(r.status === 200 || r.status === 429, String(r.status))
      admitted += batch.filter((r) => r.status === 200).length
    }
    assert.ok(limited, 'no 429 after 340 requests with a limit of 300 per 10 s')
    assert.ok(admitted <= 300, `${admitted} requests admitted with a limit of 300 per 10 s`)
    assert.ok(admitted >= 280, `only ${admitted} of a limit of 300 admitted before the first 429`)
    assert.ok(Number(limited.headers.get('Retry-After')) >= 1)
    const other = await newKey(OPERATOR, { name: 'calm', role: 'viewer' })
    assert.equal(
      (await call('/v1/agent/status', other.key ?? '')).status,
      200,
      'limits are per principal',
    )
  })

  test('a client calling in a loop costs a few Redis calls, not one per request', async () => {
    const key = await newKey(OPERATOR, { name: 'looper', role: 'viewer' })
    // The principal's window, by its key (the tenant's window is shared with a worker this
    // file may have left polling).
    let elapsed = 0
    const calls = await scriptCallsNaming(`${tenantId}:key:${key.id}`, async () => {
      const started = Date.now()
      for (let i = 0; i < 60; i++) {
        assert.equal((await call('/v1/agent/status', key.key ?? '')).status, 200)
      }
      elapsed = Date.now() - started
    })
    // One by one, that was 60 calls. Counts gather for GATHER_MS (tally.ts) and travel
    // together: at most one call per gathering, however fast this machine answers each
    // request (the helper waits out the last), besides the first request's own call and a
    // retry if Redis had not loaded the limiter's script yet (EVALSHA, then EVAL).
    const gatherings = Math.ceil(elapsed / GATHER_MS) + 2
    const seen = `${calls} rate-limit calls to Redis for 60 requests in ${elapsed} ms`
    assert.ok(calls >= 1 && calls <= gatherings, seen)
    assert.ok(calls < 60, seen)
  })

  test('an Idempotency-Key makes task creation happen once', async () => {
    const key = await newKey(OPERATOR, { name: 'idem', role: 'member' })
    const post = (idem: string, prompt: string) =>
      call('/v1/agent/tasks', key.key ?? '', {
        method: 'POST',
        json: { prompt },
        headers: { 'Idempotency-Key': idem },
      })
    const idem = `k-${Math.random()}`
    const [a, b] = await Promise.all([post(idem, 'once'), post(idem, 'once')])
    const [ta, tb] = [await json<{ id: string }>(a), await json<{ id: string }>(b)]
    assert.equal(ta.id, tb.id)
    assert.equal([a, b].filter((r) => r.headers.get('Idempotent-Replayed') === 'true').length, 1)
    assert.equal((await post(idem, 'something else')).status, 422)
    const other = await json<{ id: string }>(await post(`${idem}-2`, 'once'))
    assert.notEqual(other.id, ta.id)
    assert.equal((await post('bad key with spaces', 'x')).status, 400)
  })
})
