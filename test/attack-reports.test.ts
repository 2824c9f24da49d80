/**
 * Attack suite: reports are believed only from whom they belong to. Bad worker registrations,
 * usage ingested by a member, another caller's idempotency key, an export that holds secrets
 * or ends cut off, and a worker's private files.
 */
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, test } from 'node:test'
import { redactSecrets } from '../agent-worker/src/sessions/redact'
import { api, asTenant, connectAsOwner, newTenantAdmin } from './helpers'
import { uid } from './queue-helpers'
import { startWorker, tempDir, until } from './worker-helpers'

let member = ''

async function call(path: string, token?: string, json?: unknown, method = 'POST') {
  const res = await api(path, { method, json, token, headers: {} })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}

before(async () => {
  const made = await call('/v1/auth/api-keys', undefined, { name: 'rep-member', role: 'member' })
  member = made.body.key
})

describe('worker registrations are checked field by field', () => {
  test('models: [null] is a 400 naming the field, and the model lists stay whole', async () => {
    const id = `rep-${uid()}`
    for (const models of [[null], [{ name: 'no id' }], [42], [{ id: '' }]]) {
      const res = await call('/v1/agent/workers/register', undefined, {
        worker_id: id,
        name: id,
        models,
      })
      assert.equal(res.status, 400, JSON.stringify(models))
      assert.match(JSON.stringify(res.body), /models\.0/)
    }
    const ok = await call('/v1/agent/workers/register', undefined, {
      worker_id: id,
      name: id,
      models: ['openai/gpt-4.1', { id: 'anthropic/claude-x', name: 'Claude', extra: 1 }],
      agents: ['claude', { name: 'planner', mode: 'plan' }],
    })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    for (const path of ['/v1/agent/models', '/v1/monitor/models'])
      assert.equal((await call(path, undefined, undefined, 'GET')).status, 200, path)
  })
})

describe('usage is believed only from the worker that ran the work', () => {
  test("a member's transcript is kept, never billed, and speaks for no worker", async () => {
    const owner = `rep-owner-${uid()}`
    await call('/v1/agent/workers/register', undefined, { worker_id: owner, name: owner })
    const codebase = await call('/v1/agent/codebases', undefined, {
      name: 'rep',
      path: `/srv/rep-${uid()}`,
      worker_id: owner,
    })
    const id = codebase.body.workspace.id as string
    const before = await call('/v1/token-billing/usage/summary', undefined, undefined, 'GET')
    const huge = { input: 900_000_000, output: 900_000_000 }
    const message = (tokens: unknown) => ({
      id: `m-${uid()}`,
      role: 'assistant',
      content: 'x',
      model: 'anthropic/claude-opus-4',
      tokens,
    })
    const path = `/v1/agent/codebases/${id}/sessions/rep-${uid()}/ingest`
    const absurd = await call(path, member, { messages: [message(huge)] })
    assert.equal(absurd.status, 400, 'no message has 900 million tokens')
    const kept = await call(path, member, {
      worker_id: 'somebody-elses-worker',
      session: { title: 'retitled' },
      messages: [message({ input: 1000, output: 1000 })],
    })
    assert.equal(kept.status, 200, JSON.stringify(kept.body))
    assert.deepEqual([kept.body.messages, kept.body.usage_recorded], [1, 0])
    const after = await call('/v1/token-billing/usage/summary', undefined, undefined, 'GET')
    assert.equal(after.body.total_cost_micros, before.body.total_cost_micros)
    const session = await call(path.replace('/ingest', ''), member, undefined, 'GET')
    assert.notEqual(session.body.worker_id, 'somebody-elses-worker')
  })
})

describe('a ledger entry says who reported it, and an admin can void a false one', () => {
  test("the worker's report is billed and named; a member cannot void it, an admin can", async () => {
    const worker = `rep-w-${uid()}`
    await call('/v1/agent/workers/register', undefined, { worker_id: worker, name: worker })
    const made = await call('/v1/agent/codebases', undefined, {
      name: 'rep-ledger',
      path: `/srv/rep-ledger-${uid()}`,
      worker_id: worker,
    })
    const base = `/v1/agent/codebases/${made.body.workspace.id}/sessions`
    const sid = `rep-${uid()}`
    await call(`${base}/sync`, undefined, { worker_id: worker, sessions: [{ id: sid }] })
    const before = await call('/v1/token-billing/usage/summary', undefined, undefined, 'GET')
    const synced = await call(`${base}/${sid}/messages/sync`, undefined, {
      worker_id: worker,
      messages: [
        {
          id: 'm1',
          role: 'assistant',
          content: 'x',
          model: 'openai/gpt-4.1',
          tokens: { input: 1_000_000, output: 0 },
        },
      ],
    })
    assert.equal(synced.body.usage_recorded, 1, JSON.stringify(synced.body))
    const recent = await call('/v1/token-billing/usage/recent?limit=5', undefined, undefined, 'GET')
    const entry = (recent.body as { id: number; message_id: string; reported_by: string }[]).find(
      (e) => e.message_id === `${sid}:m1`,
    )
    assert.equal(entry?.reported_by, `worker:${worker}`)
    const billed = await call('/v1/token-billing/usage/summary', undefined, undefined, 'GET')
    assert.ok(billed.body.total_cost_micros > before.body.total_cost_micros)
    const path = `/v1/token-billing/usage/${entry?.id}/void`
    assert.equal((await call(path, member, {})).status, 403)
    assert.equal((await call(path, undefined, {})).status, 200)
    assert.equal((await call(path, undefined, {})).status, 404, 'voided once')
    const after = await call('/v1/token-billing/usage/summary', undefined, undefined, 'GET')
    assert.equal(after.body.total_cost_micros, before.body.total_cost_micros)
  })
})

describe('idempotency keys are the caller’s own', () => {
  test("another member's key never replays their task to someone else", async () => {
    const key = `rep-${uid()}`
    const post = (token?: string) =>
      api('/v1/agent/tasks', {
        method: 'POST',
        token,
        headers: { 'Idempotency-Key': key },
        json: { prompt: 'same body' },
      })
    const mine = await post(member)
    const theirs = await post(undefined)
    assert.equal(mine.status, 200)
    assert.equal(theirs.status, 200)
    assert.equal(theirs.headers.get('Idempotent-Replayed'), null)
    const [a, b] = [(await mine.json()).id, (await theirs.json()).id]
    assert.notEqual(a, b)
    const again = await post(member)
    assert.equal(again.headers.get('Idempotent-Replayed'), 'true')
    assert.equal((await again.json()).id, a)
  })
})

describe('exports are whole and hold no secrets', () => {
  test('100,000 rows (and 2,500 events of one task) export completely, in order, ending in a line that says so', async () => {
    const { tenantId, key } = await newTenantAdmin()
    const owner = await connectAsOwner()
    try {
      await asTenant(owner, tenantId, async () => {
        await owner.query(
          `insert into agent_memories (tenant_id, key, value)
           select $1, lpad(i::text, 6, '0'), 'v' || i from generate_series(1, 100000) i`,
          [tenantId],
        )
        await owner.query(`insert into tasks (tenant_id, id) values ($1, 'many-events')`, [
          tenantId,
        ])
        await owner.query(
          `insert into task_events (tenant_id, task_id, seq, kind, payload)
           select $1, 'many-events', i, 'output', '{}' from generate_series(1, 2500) i`,
          [tenantId],
        )
      })
    } finally {
      await owner.end()
    }
    const res = await api('/v1/admin/export', { token: key })
    assert.equal(res.status, 200)
    const lines = (await res.text()).trim().split('\n')
    const end = JSON.parse(lines.pop() ?? '{}')
    assert.deepEqual(end, { complete: true, rows: lines.length })
    const memories = lines.map((l) => JSON.parse(l)).filter((l) => l.table === 'agent_memories')
    assert.equal(memories.length, 100_000)
    assert.equal(new Set(memories.map((m) => m.row.key)).size, 100_000, 'each row once')
    // A key of several columns, named apart from their fields, pages the same way.
    const events = lines.map((l) => JSON.parse(l)).filter((l) => l.table === 'task_events')
    assert.deepEqual(
      events.map((e) => e.row.seq),
      Array.from({ length: 2500 }, (_, i) => i + 1),
    )
    for (const l of lines) assert.doesNotMatch(l, /"(key_hash|secret_hash|sealed_[a-z_]+)"/)
  })
})

describe("the worker's files are its own", () => {
  test('state directory 0700 and files 0600 even under umask 000', async () => {
    const previous = process.umask(0)
    const stateDir = join(tempDir('rep-state'), 'nested')
    const worker = startWorker(['--codebases', tempDir('rep-cb')], { stateDir, name: 'rep-files' })
    process.umask(previous)
    try {
      await until('the worker writes its id', async () =>
        statSync(stateDir, { throwIfNoEntry: false }),
      )
      // The worker writes its id and its pid file one after the other: wait for both.
      for (const file of ['worker-id', 'worker.pid']) {
        await until(file, async () => statSync(join(stateDir, file), { throwIfNoEntry: false }))
      }
      assert.equal(statSync(stateDir).mode & 0o777, 0o700)
      assert.equal(statSync(join(stateDir, 'worker-id')).mode & 0o777, 0o600)
      assert.equal(statSync(join(stateDir, 'worker.pid')).mode & 0o777, 0o600)
    } finally {
      await worker.stop()
    }
  })

  test('transcripts leave the machine without what looks like a credential', () => {
    const read = [
      'OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx',
      'DATABASE_URL=postgres://app:hunter2@db.internal:5432/app',
      'export STRIPE_SECRET_KEY="sk_live_0123456789abcdefghijkl"',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc',
      'token: ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      'password = "correct horse battery staple"',
    ].join('\n')
    const sent = redactSecrets(read)
    for (const secret of [
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'hunter2',
      'sk_live_0123456789abcdefghijkl',
      'eyJhbGciOiJIUzI1NiJ9',
      'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      'b3BlbnNzaC1rZXktdjEAAAAA',
      'correct horse',
    ])
      assert.ok(!sent.includes(secret), `${secret} left in:\n${sent}`)
    assert.equal(
      redactSecrets('PATH=/usr/bin and a plain sentence'),
      'PATH=/usr/bin and a plain sentence',
    )
  })
})

describe('refusals at the protocol edge say what they are', () => {
  test('over the spending limit, A2A answers a spending-limit error on both versions, never -32603', async () => {
    const { tenantId, key } = await newTenantAdmin()
    const owner = await connectAsOwner()
    try {
      await asTenant(owner, tenantId, () =>
        owner.query(
          `insert into token_usage (tenant_id, provider, model, cost_picos, message_id)
           values ($1, 'openai', 'gpt-4.1', 5000000000000, 'spent')`,
          [tenantId],
        ),
      )
    } finally {
      await owner.end()
    }
    const limit = await api('/v1/token-billing/budget', {
      method: 'PUT',
      token: key,
      json: { monthly_limit_micros: 1000 },
    })
    assert.equal(limit.status, 200, await limit.text())
    const rpc = async (version: '0.3' | '1.0') => {
      const message =
        version === '1.0'
          ? { messageId: `m-${uid()}`, role: 'ROLE_USER', parts: [{ text: 'write code' }] }
          : {
              kind: 'message',
              messageId: `m-${uid()}`,
              role: 'user',
              parts: [{ kind: 'text', text: 'write code' }],
            }
      const res = await api('/', {
        method: 'POST',
        token: key,
        headers: version === '1.0' ? { 'A2A-Version': '1.0' } : {},
        json: {
          jsonrpc: '2.0',
          id: 7,
          method: version === '1.0' ? 'SendMessage' : 'message/send',
          params: { message, metadata: { agent_type: 'build' } },
        },
      })
      return (await res.json()) as {
        error?: { code: number; message: string; data?: { code?: string } }
      }
    }
    for (const version of ['0.3', '1.0'] as const) {
      const { error } = await rpc(version)
      assert.equal(error?.code, -32020, `${version}: ${JSON.stringify(error)}`)
      assert.match(error?.message ?? '', /spending limit/)
      assert.equal(error?.data?.code, 'spending_limit_reached')
    }
  })
})
