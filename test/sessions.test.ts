/**
 * Sessions and the usage ledger over REST, in a tenant of their own: sync from the owning
 * worker, list and search, messages, resume, the ledger's arithmetic and dedupe, the budget.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { before, describe, test } from 'node:test'
import { asTenant, connectAsApp, createTenant, newTenantAdmin, stack } from './helpers'

let key: string
let tenantId: string
let worker: string
let codebase: string

const call = async (method: string, path: string, json?: unknown, status = 200) => {
  const res = await fetch(`${stack().url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  const text = await res.text()
  assert.equal(res.status, status, `${method} ${path}: ${text}`)
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
  return JSON.parse(text) as any
}

before(async () => {
  ;({ tenantId, key } = await newTenantAdmin())
  worker = `w-${randomBytes(4).toString('hex')}`
  await call('POST', '/v1/agent/workers/register', { worker_id: worker, name: worker })
  const ws = await call('POST', '/v1/agent/codebases', {
    name: 'repo',
    path: '/src/repo',
    worker_id: worker,
  })
  codebase = ws.workspace.id
})

const tokens = (input: number, output: number, read = 0, write = 0) => ({
  input,
  output,
  reasoning: 0,
  cache: { read, write },
})

describe('sessions', () => {
  test('sync, list, search and read back; timestamps as ISO or epoch ms', async () => {
    const sessions = Array.from({ length: 5 }, (_, i) => ({
      id: `ses-${i}`,
      agent: 'claude',
      title: i === 3 ? 'Fix the flaky login test' : `Session ${i}`,
      directory: '/src/repo',
      created_at:
        i % 2 ? Date.UTC(2026, 10, i + 1) : new Date(Date.UTC(2026, 10, i + 1)).toISOString(),
      updated_at: Date.UTC(2026, 10, i + 1, 12),
    }))
    const synced = await call('POST', `/v1/agent/codebases/${codebase}/sessions/sync`, {
      worker_id: worker,
      sessions,
    })
    assert.equal(synced.synced, 5)
    await call('POST', `/v1/agent/codebases/${codebase}/sessions/sync`, {
      worker_id: worker,
      sessions,
    }) // idempotent

    const page = await call('GET', `/v1/agent/workspaces/${codebase}/sessions?limit=2`)
    assert.deepEqual([page.total, page.sessions.length, page.hasMore], [5, 2, true])
    assert.equal(page.sessions[0].id, 'ses-4', 'newest first')
    const found = await call('GET', `/v1/agent/codebases/${codebase}/sessions?q=flaky`)
    assert.deepEqual(
      found.sessions.map((s: { id: string }) => s.id),
      ['ses-3'],
    )
    assert.equal(found.sessions[0].created_at, '2026-11-04T00:00:00.000Z')

    await call('POST', `/v1/agent/codebases/${codebase}/sessions/ses-3/messages/sync`, {
      worker_id: worker,
      messages: [
        {
          info: { id: 'm1', role: 'user', time: { created: Date.UTC(2026, 10, 4, 1) } },
          parts: [{ type: 'text', text: 'Why is it flaky?' }],
        },
        {
          info: {
            id: 'm2',
            role: 'assistant',
            modelID: 'claude-sonnet-4-5-20250929',
            providerID: 'anthropic',
            tokens: tokens(1234, 567, 10000, 2000),
            time: { created: Date.UTC(2026, 10, 4, 2) },
          },
          parts: [{ type: 'text', text: 'A race in the fixture.' }],
        },
      ],
    })
    const read = await call('GET', `/v1/agent/codebases/${codebase}/sessions/ses-3/messages`)
    assert.deepEqual(
      read.messages.map((m: { content: string }) => m.content),
      ['Why is it flaky?', 'A race in the fixture.'],
    )
    const runtime = await call('GET', '/v1/agent/runtime/sessions?limit=10')
    assert.equal(runtime.total, 5)
    assert.equal(
      (await call('GET', '/v1/agent/runtime/sessions/ses-3')).title,
      'Fix the flaky login test',
    )
    // Upstream's parts read: every message's parts as the executor sent them, or one message's.
    const parts = await call('GET', '/v1/agent/runtime/sessions/ses-3/parts')
    assert.deepEqual(
      parts.parts.map((p: { message_id: string; part: { text: string } }) => [
        p.message_id,
        p.part.text,
      ]),
      [
        ['m1', 'Why is it flaky?'],
        ['m2', 'A race in the fixture.'],
      ],
    )
    const one = await call('GET', '/v1/agent/runtime/sessions/ses-3/parts?message_id=m2')
    assert.deepEqual(one, {
      session_id: 'ses-3',
      message_id: 'm2',
      parts: [
        { message_id: 'm2', index: 0, part: { type: 'text', text: 'A race in the fixture.' } },
      ],
    })
    const missing = '/v1/agent/runtime/sessions/ses-3/parts?message_id=nope'
    assert.equal((await call('GET', missing, undefined, 404)).error.code, 'not_found')
  })

  test('resume stores the prompt and queues a task for the owning worker', async () => {
    const resumed = await call('POST', `/v1/agent/codebases/${codebase}/sessions/ses-3/resume`, {
      prompt: 'Now fix it',
    })
    assert.equal(resumed.session_id, 'ses-3')
    assert.equal(resumed.routing.target_worker_id, worker)
    const task = await call('GET', `/v1/agent/tasks/${resumed.task_id}`)
    assert.equal(task.metadata.resume_session_id, 'ses-3')
    assert.equal(task.metadata.executor, 'claude')
    const messages = await call('GET', `/v1/agent/codebases/${codebase}/sessions/ses-3/messages`)
    assert.equal(messages.messages.at(-1).content, 'Now fix it')
  })

  test('bad input: unknown codebase and session 404, a malformed transcript 400, another worker 403', async () => {
    await call('GET', '/v1/agent/codebases/nope/sessions', undefined, 404)
    await call('GET', `/v1/agent/codebases/${codebase}/sessions/nope`, undefined, 404)
    await call('POST', `/v1/agent/codebases/${codebase}/sessions/nope/resume`, {}, 404)
    const bad = await call(
      'POST',
      `/v1/agent/codebases/${codebase}/sessions/x/ingest`,
      { messages: [{ id: 'a', role: 'robot' }] },
      400,
    )
    assert.match(JSON.stringify(bad), /messages\.0/)
    const other = `w-${randomBytes(4).toString('hex')}`
    await call('POST', '/v1/agent/workers/register', { worker_id: other, name: other })
    await call(
      'POST',
      `/v1/agent/codebases/${codebase}/sessions/sync`,
      { worker_id: other, sessions: [{ id: 'evil' }] },
      403,
    )
  })
})

describe('the usage ledger', () => {
  test('costs are exact integers; a message synced twice is billed once; unpriced models are marked', async () => {
    const before = await call('GET', '/v1/token-billing/usage/summary?group_by=model')
    // 1234 in, 567 out, 10000 cache read, 2000 cache write at claude-sonnet-4's prices:
    // (1234×3 + 567×15 + 10000×0.30 + 2000×3.75) USD/M = 0.022707 USD = 22707 micro-USD.
    const sonnet = before.groups.find(
      (g: { key: string }) => g.key === 'anthropic/claude-sonnet-4-5-20250929',
    )
    assert.equal(sonnet.cost_micros, 22707)
    // 1000 messages of 1 input token of gpt-4.1-mini: 0.4 micro-USD each, 400 in total.
    const many = Array.from({ length: 1000 }, (_, i) => ({
      id: `tiny-${i}`,
      role: 'assistant',
      content: '.',
      model: 'openai/gpt-4.1-mini',
      tokens: tokens(1, 0),
    }))
    // A person's transcript is kept but never billed: usage comes from the worker that ran it.
    const person = await call('POST', `/v1/agent/codebases/${codebase}/sessions/tiny/ingest`, {
      session: { title: 'tiny' },
      messages: many,
    })
    assert.deepEqual([person.messages, person.usage_recorded], [1000, 0])
    const ingest = (messages: unknown[]) =>
      call('POST', `/v1/agent/codebases/${codebase}/sessions/tiny/messages/sync`, {
        worker_id: worker,
        messages,
      })
    assert.equal((await ingest(many)).usage_recorded, 1000)
    assert.equal((await ingest(many)).usage_recorded, 0, 'synced twice, billed once')
    await ingest([
      { id: 'odd', role: 'assistant', model: 'acme/unknown-1', tokens: tokens(10, 10) },
    ])
    const after = await call('GET', '/v1/token-billing/usage/summary?group_by=model')
    const mini = after.groups.find((g: { key: string }) => g.key === 'openai/gpt-4.1-mini')
    assert.deepEqual([mini.messages, mini.input_tokens, mini.cost_micros], [1000, 1000, 400])
    assert.equal(after.total_cost_micros, 22707 + 400)
    assert.equal(after.total_cost_usd, '0.023107')
    assert.equal(
      after.groups.find((g: { key: string }) => g.key === 'acme/unknown-1').all_priced,
      false,
    )
    const byMonth = await call('GET', '/v1/token-billing/usage/summary?group_by=month')
    assert.equal(byMonth.groups.length, 1)
    const recent = await call('GET', '/v1/token-billing/usage/recent?limit=3')
    assert.equal(recent.length, 3)
  })

  test('over the spending limit, work that needs a model is refused with 402; other work is not', async () => {
    await call('PUT', '/v1/token-billing/budget', {
      monthly_budget_micros: 10000,
      monthly_limit_micros: 20000,
    })
    const budget = await call('GET', '/v1/token-billing/budget')
    assert.deepEqual([budget.over_budget, budget.limit_reached], [true, true])
    const refused = await call('POST', '/v1/agent/tasks', { prompt: 'write code' }, 402)
    assert.match(refused.error.message, /spending limit/)
    await call('POST', `/v1/agent/codebases/${codebase}/tasks`, {
      prompt: 'ls',
      agent_type: 'command',
    })
    await call('PUT', '/v1/token-billing/budget', { monthly_limit_micros: null })
    await call('POST', '/v1/agent/tasks', { prompt: 'write code' })
  })

  test('another tenant sees none of these sessions or usage, even by direct SQL', async () => {
    const app = await connectAsApp()
    const other = await createTenant()
    try {
      for (const table of ['sessions', 'session_messages', 'token_usage']) {
        const mine = await asTenant(app, tenantId, () =>
          app.query(`select count(*)::int as n from ${table}`),
        )
        const theirs = await asTenant(app, other, () =>
          app.query(`select count(*)::int as n from ${table}`),
        )
        assert.ok(mine.rows[0].n > 0, table)
        assert.equal(theirs.rows[0].n, 0, table)
      }
    } finally {
      await app.end()
    }
  })
})
