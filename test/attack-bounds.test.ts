/**
 * Attack: a member of a tenant tries to exhaust it. Cron as an amplifier (hundreds of
 * every-minute jobs with megabyte prompts), a task flood, event streams held open, the agent
 * registry filled with big cards, and raising the bounds themselves. Each is refused with a
 * status naming its limit, at the defaults, while the tenant's admin works on.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { LIMITS } from '../src/domain/limits/table'
import { api, newKey, newTenantAdmin } from './helpers'
import { call, closeHeld, holdStream, type Json } from './limits-helpers'

let admin: string
let member: string
let tenantId: string

const everyMinute = (name: string, prompt = 'tick') => ({
  name,
  cron_expression: '* * * * *',
  enabled: false,
  task_template: { prompt, agent_type: 'command' },
})

before(async () => {
  ;({ key: admin, tenantId } = await newTenantAdmin())
  member = await newKey(tenantId, 'member', 'mallory')
})

after(closeHeld)

/** A monitor stream held open; its status (and the refusal, when refused). */
const monitorStream = (token: string) => holdStream(token, '/v1/monitor/stream')

describe('attack: a member exhausting the tenant', () => {
  test('cron as an amplifier: jobs stop at cron_jobs (default 100), megabyte templates at prompt_bytes', async () => {
    const big = await call(
      member,
      'POST',
      '/v1/cronjobs',
      everyMinute('big', 'x'.repeat(1_000_000)),
    )
    assert.equal(big.status, 413)
    assert.equal(big.body.error.details.limit, 'prompt_bytes')

    const statuses: number[] = []
    for (let i = 0; i < 110; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          call(member, 'POST', '/v1/cronjobs', everyMinute(`j${i + j}`)),
        ),
      )
      statuses.push(...batch.map((r) => r.status))
      const refused = batch.find((r) => r.status === 429)
      if (refused) assert.equal(refused.body.error.details.limit, 'cron_jobs')
    }
    assert.equal(statuses.filter((s) => s === 200).length, 100, 'exactly the default')
    assert.equal(statuses.filter((s) => s === 429).length, 10)
    // The admin's own work goes on: a task is created, the jobs are listed.
    assert.equal(
      (await call(admin, 'POST', '/v1/agent/tasks', { prompt: 'mine', agent_type: 'command' }))
        .status,
      200,
    )
    assert.equal((await call(admin, 'GET', '/v1/cronjobs?page_size=5')).body.total, 100)
  })

  test('a task flood stops at the member’s own rate; the admin creates on', async () => {
    const set = await call(admin, 'PUT', '/v1/limits', { tasks_per_minute_per_principal: 5 })
    assert.equal(set.status, 200)
    const flood = []
    for (let i = 0; i < 8; i++) {
      flood.push(
        await call(member, 'POST', '/v1/agent/tasks', { prompt: `f${i}`, agent_type: 'command' }),
      )
    }
    const refused = flood.filter((r) => r.status === 429)
    assert.equal(refused.length, 3)
    for (const r of refused) {
      assert.equal(r.body.error.details.limit, 'tasks_per_minute_per_principal')
    }
    const mine = await call(admin, 'POST', '/v1/agent/tasks', {
      prompt: 'a',
      agent_type: 'command',
    })
    assert.equal(mine.status, 200, 'the admin is another principal')
  })

  test('the bounds themselves: a member or viewer cannot change them, nor an admin past the maximum', async () => {
    assert.equal((await call(member, 'PUT', '/v1/limits', { cron_jobs: 10_000 })).status, 403)
    assert.equal((await call(member, 'GET', '/v1/limits')).status, 200, 'but may read them')
    const past = await call(admin, 'PUT', '/v1/limits', { open_streams_per_principal: 1_000_000 })
    assert.equal(past.status, 400)
    const operator = await call(admin, 'PUT', '/v1/limits', { requests_per_tenant: 1 })
    assert.equal(operator.status, 400)
  })

  test('thirty monitor streams from one viewer key: those past open_streams_per_principal (default 20) are refused; the admin streams and works on', async () => {
    // The test stack raises the stream limits for its benchmarks: back to the table's default.
    const limit = LIMITS.open_streams_per_principal.default
    assert.equal(
      (await call(admin, 'PUT', '/v1/limits', { open_streams_per_principal: limit })).status,
      200,
    )
    const viewer = await newKey(tenantId, 'viewer', 'victor')
    const opened = await Promise.all(Array.from({ length: 30 }, () => monitorStream(viewer)))
    assert.equal(opened.filter((r) => r.status === 200).length, limit, 'exactly the default')
    const refused = opened.filter((r) => r.status !== 200)
    assert.equal(refused.length, 30 - limit)
    for (const r of refused) {
      assert.equal(r.status, 429)
      assert.equal(r.body.error.details.limit, 'open_streams_per_principal')
    }
    assert.equal((await monitorStream(admin)).status, 200, 'the admin is another principal')
    assert.equal((await call(admin, 'GET', '/v1/agent/tasks')).status, 200)
  })

  test('300 agents with 20 KB capabilities are refused at agent_card_bytes; small ones stop at agents (default 200)', async () => {
    const register = (name: string, capabilities: Json = {}) =>
      call(member, 'POST', '/v1/agents', { name, capabilities })
    const big = { notes: 'x'.repeat(20_000) }
    const statuses: number[] = []
    for (let i = 0; i < 300; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => register(`big:${i + j}`, big)),
      )
      for (const r of batch) {
        statuses.push(r.status)
        if (r.status === 413) assert.equal(r.body.error.details.limit, 'agent_card_bytes')
      }
    }
    assert.deepEqual(new Set(statuses), new Set([413]))

    const small: number[] = []
    for (let i = 0; i < 210; i += 15) {
      const batch = await Promise.all(
        Array.from({ length: 15 }, (_, j) => register(`small:${i + j}`)),
      )
      for (const r of batch) {
        small.push(r.status)
        if (r.status === 429) assert.equal(r.body.error.details.limit, 'agents')
      }
    }
    assert.equal(small.filter((s) => s === 200).length, 200, 'exactly the default')
    assert.equal(small.filter((s) => s === 429).length, 10)
    // The registry is still the admin's: listed in pages, and a registered agent beats on.
    const page = await api('/v1/agents?limit=500', { token: admin })
    const listed = ((await page.json()) as Json[]).filter((a) => a.kind !== 'builtin')
    assert.equal(listed.length, 200)
    assert.equal((await call(admin, 'POST', '/v1/agents/small:0/heartbeat')).status, 200)
  })
})
