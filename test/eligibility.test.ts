/**
 * app.eligible_for, the one rule of who may take a task (migration 0028 restates 0023's in
 * PL/pgSQL): each of its tests on its own, for one worker, on task rows made from JSON so that
 * a case needs no task. The queue, routing and watch-mode suites test the same rule through the
 * API; this one pins every branch of it, so that a rewrite for speed cannot change an answer.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type pg from 'pg'
import { asTenant, connectAsApp, stack } from './helpers'

const run = crypto.randomUUID().slice(0, 8)
const me = `elig-${run}`
const name = (s: string) => `${s}-${run}`
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString()

let app: pg.Client
const tenantId = () => stack().tenantId

/** Whether worker `worker` may take a task with these columns (the rest their defaults). */
async function eligible(task: Record<string, unknown>, worker = me): Promise<boolean> {
  return asTenant(app, tenantId(), async () => {
    const { rows } = await app.query(
      `select app.eligible_for(jsonb_populate_record(null::tasks, $1::jsonb), $2, 300) as ok`,
      [JSON.stringify({ required_capabilities: [], metadata: {}, ...task }), worker],
    )
    return rows[0].ok
  })
}

before(async () => {
  app = await connectAsApp()
  await asTenant(app, tenantId(), async () => {
    const worker = `insert into workers (tenant_id, id, name, capabilities, models, agents, status, last_seen_at)
                   values ($1, $2, $3, $4, $5, $6, $7, $8)`
    const t = tenantId()
    await app.query(worker, [
      t,
      me,
      name('alpha'),
      '["gpu", "linux"]',
      '[{"id": "openai/gpt-5"}, "anthropic:claude"]',
      '["codex", {"name": "claude"}]',
      'online',
      new Date().toISOString(),
    ])
    for (const [id, status, seen] of [
      ['owner-online', 'online', new Date().toISOString()],
      ['owner-offline', 'offline', new Date().toISOString()],
      ['owner-stale', 'online', hourAgo()],
    ])
      await app.query(worker, [t, name(id as string), id, '[]', '[]', '[]', status, seen])
    const workspace = `insert into workspaces (tenant_id, id, name, path, status, worker_id)
                      values ($1, $2, $2, $2, $3, $4)`
    for (const [id, status, owner] of [
      ['open', 'watching', null],
      ['stopped', 'stopped', null],
      ['mine', 'watching', me],
      ['owned-online', 'watching', name('owner-online')],
      ['owned-offline', 'watching', name('owner-offline')],
      ['owned-stale', 'watching', name('owner-stale')],
    ])
      await app.query(workspace, [t, name(id as string), status, owner])
  })
})

after(async () => {
  await asTenant(app, tenantId(), async () => {
    await app.query(`delete from workspaces where id like $1`, [`%-${run}`])
    await app.query(`delete from workers where id like $1 or id = $2`, [`%-${run}`, me])
  })
  await app.end()
})

describe('app.eligible_for', () => {
  test('a task asking nothing goes to any worker the tenant knows, and to no other', async () => {
    assert.equal(await eligible({}), true)
    assert.equal(await eligible({}, `unknown-${run}`), false)
  })

  test('a target worker and a deadline', async () => {
    assert.equal(await eligible({ target_worker_id: me }), true)
    assert.equal(await eligible({ target_worker_id: name('owner-online') }), false)
    assert.equal(await eligible({ deadline_at: new Date(Date.now() + 60_000).toISOString() }), true)
    assert.equal(await eligible({ deadline_at: hourAgo() }), false)
  })

  test('capabilities: all of those asked for', async () => {
    assert.equal(await eligible({ required_capabilities: ['gpu'] }), true)
    assert.equal(await eligible({ required_capabilities: ['linux', 'gpu'] }), true)
    assert.equal(await eligible({ required_capabilities: ['gpu', 'cuda'] }), false)
  })

  test('a model the worker offers, provider/model and provider:model alike', async () => {
    assert.equal(await eligible({ model_ref: 'openai:gpt-5' }), true)
    assert.equal(await eligible({ model_ref: 'anthropic/claude' }), true)
    assert.equal(await eligible({ model_ref: 'openai/gpt-4' }), false)
  })

  test('a named agent: the worker by name, a CLI it has, or any worker on fallback', async () => {
    assert.equal(await eligible({ target_agent_name: name('alpha') }), true)
    assert.equal(await eligible({ target_agent_name: 'codex' }), true)
    assert.equal(await eligible({ target_agent_name: 'claude' }), true)
    assert.equal(await eligible({ target_agent_name: 'gemini' }), false)
    const fallback = { target_agent_name: 'gemini', metadata: { fallback: 'any' } }
    assert.equal(await eligible(fallback), true)
  })

  test('a codebase: held back while stopped unless triggered; its online owner has it', async () => {
    const at = (ws: string, metadata = {}) => eligible({ workspace_id: name(ws), metadata })
    assert.equal(await at('open'), true)
    assert.equal(await at('stopped'), false)
    assert.equal(await at('stopped', { triggered: true }), true)
    assert.equal(await eligible({ workspace_id: `none-${run}` }), false)
    assert.equal(await at('mine'), true)
    assert.equal(await at('owned-online'), false)
    assert.equal(await at('owned-offline'), true)
    assert.equal(await at('owned-stale'), true)
  })

  test('every test holds together: one failing refuses the task', async () => {
    const fits = {
      target_worker_id: me,
      required_capabilities: ['gpu'],
      model_ref: 'openai/gpt-5',
      target_agent_name: 'codex',
      workspace_id: name('mine'),
    }
    assert.equal(await eligible(fits), true)
    for (const spoil of [
      { target_worker_id: name('owner-online') },
      { required_capabilities: ['cuda'] },
      { model_ref: 'openai/gpt-4' },
      { target_agent_name: 'gemini' },
      { workspace_id: name('owned-online') },
    ])
      assert.equal(await eligible({ ...fits, ...spoil }), false, JSON.stringify(spoil))
  })
})
