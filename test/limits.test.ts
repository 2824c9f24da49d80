/**
 * Limits as one mechanism: the table as Settings reads it, an admin's changes within the
 * operator's maxima, and each bound refusing by name (429 or 413) in a tenant of its own while
 * the tenant next door works on.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { before, describe, test } from 'node:test'
import { LIMIT_NAMES } from '../src/domain/limits/table'
import { rpcBody, v03Message } from './a2a-helpers'
import { api, newTenantAdmin } from './helpers'
import * as shared from './limits-helpers'
import { awayFromMinuteBoundary, type Json, refusedBy } from './limits-helpers'

let key: string

const call = (method: string, path: string, json?: unknown, token = key) =>
  shared.call(token, method, path, json)
const setLimits = (values: Record<string, number | null>, token = key) =>
  shared.setLimits(token, values)

const task = (prompt: string, token = key) =>
  call('POST', '/v1/agent/tasks', { prompt, agent_type: 'command' }, token)

const cronJob = (name: string, prompt = 'nightly') =>
  call('POST', '/v1/cronjobs', {
    name,
    cron_expression: '0 3 * * *',
    enabled: false,
    task_template: { prompt, agent_type: 'command' },
  })

before(async () => {
  ;({ key } = await newTenantAdmin())
})

describe('limits', () => {
  test('Settings reads every limit with its value, default and maximum; only admins change them', async () => {
    const { body } = await call('GET', '/v1/limits')
    const names = body.limits.map((l: Json) => l.name)
    for (const name of [
      'cron_jobs',
      'tasks_per_minute',
      'prompt_bytes',
      'open_streams_per_principal',
      'output_line_bytes',
      'task_output_bytes',
      'agents',
      'agent_card_bytes',
      'sessions_per_minute',
      'body_bytes',
      'body_bytes_auth',
    ]) {
      assert.ok(names.includes(name), `${name} is listed`)
    }
    const cron = body.limits.find((l: Json) => l.name === 'cron_jobs')
    assert.deepEqual(
      [cron.value, cron.default, cron.editable, cron.set_by, cron.per, cron.kind],
      [100, 100, true, 'default', 'tenant', 'count'],
    )
    assert.ok(cron.max >= cron.default)

    const viewer = await call('POST', '/v1/auth/api-keys', { name: 'v', role: 'viewer' })
    const asViewer = await call('PUT', '/v1/limits', { cron_jobs: 1 }, viewer.body.key)
    assert.equal(asViewer.status, 403)
    assert.equal((await call('GET', '/v1/limits', undefined, viewer.body.key)).status, 200)

    const over = await call('PUT', '/v1/limits', { cron_jobs: cron.max + 1 })
    assert.equal(over.status, 400)
    assert.match(JSON.stringify(over.body.error.details), /cron_jobs.*at most/)
    const operators = await call('PUT', '/v1/limits', { body_bytes: 10 })
    assert.equal(operators.status, 400)
    assert.match(JSON.stringify(operators.body.error.details), /set by the operator/)
    assert.equal((await call('PUT', '/v1/limits', { no_such: 1 })).status, 400)
    assert.equal((await call('PUT', '/v1/limits', {})).status, 400)

    let limits = await setLimits({ cron_jobs: 7 })
    let set = limits.find((l) => l.name === 'cron_jobs')
    assert.deepEqual([set.value, set.set_by], [7, 'tenant'])
    limits = await setLimits({ cron_jobs: null })
    set = limits.find((l) => l.name === 'cron_jobs')
    assert.deepEqual([set.value, set.set_by], [100, 'default'])
  })

  test('cron jobs per tenant: the one past the limit is a 429, also when they come at once', async () => {
    await setLimits({ cron_jobs: 3 })
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => cronJob(`job ${i}`)))
    assert.equal(made.filter((r) => r.status === 200).length, 3)
    for (const r of made.filter((x) => x.status !== 200)) refusedBy(r, 'cron_jobs', 429)
    const one = made.find((r) => r.status === 200)?.body.id
    assert.equal((await call('DELETE', `/v1/cronjobs/${one}`)).status, 200)
    assert.equal((await cronJob('after a delete')).status, 200)
    refusedBy(await cronJob('one too many'), 'cron_jobs', 429)
    await setLimits({ cron_jobs: null })
  })

  test('prompts and prompt templates are bounded by prompt_bytes', async () => {
    await setLimits({ prompt_bytes: 1000 })
    refusedBy(await task('é'.repeat(600)), 'prompt_bytes', 413) // 1,200 bytes in UTF-8
    assert.equal((await task('x'.repeat(900))).status, 200)
    refusedBy(await cronJob('big', 'y'.repeat(2000)), 'prompt_bytes', 413)
    const job = await cronJob('small')
    const grown = await call('PUT', `/v1/cronjobs/${job.body.id}`, {
      task_template: { prompt: 'z'.repeat(5000) },
    })
    refusedBy(grown, 'prompt_bytes', 413)
    await setLimits({ prompt_bytes: null })
  })

  test('tasks per minute, cron runs and A2A included; the tenant next door is not held', async () => {
    await awayFromMinuteBoundary()
    const own = await newTenantAdmin()
    await setLimits({ tasks_per_minute: 3 }, own.key)
    for (let i = 0; i < 3; i++) assert.equal((await task(`t${i}`, own.key)).status, 200)
    const fourth = await task('t3', own.key)
    refusedBy(fourth, 'tasks_per_minute', 429)
    const wait = Number(fourth.headers.get('retry-after'))
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`)

    assert.equal((await task('next door')).status, 200, 'another tenant creates on')

    const job = await call(
      'POST',
      '/v1/cronjobs',
      {
        name: 'every minute',
        cron_expression: '* * * * *',
        enabled: false,
        task_template: { prompt: 'tick', agent_type: 'command' },
      },
      own.key,
    )
    const fired = await call('POST', `/v1/cronjobs/${job.body.id}/trigger`, undefined, own.key)
    refusedBy(fired, 'tasks_per_minute', 429)
    const runs = await call('GET', `/v1/cronjobs/${job.body.id}/runs`, undefined, own.key)
    assert.equal(runs.body.runs[0].status, 'failed')
    assert.match(runs.body.runs[0].error_message, /tasks_per_minute/)

    const message = v03Message({}, 'Calculate 2 + 2')
    const rpc = await call('POST', '/', rpcBody('message/send', { message }), own.key)
    assert.equal(rpc.body.error?.code, -32029, JSON.stringify(rpc.body))
    assert.equal(rpc.body.error.data.details.limit, 'tasks_per_minute')
  })

  test('sessions synced per minute, per worker', async () => {
    await setLimits({ sessions_per_minute: 3 })
    const worker = `w-${randomBytes(4).toString('hex')}`
    await call('POST', '/v1/agent/workers/register', { worker_id: worker, name: worker })
    const ws = await call('POST', '/v1/agent/codebases', {
      name: 'repo',
      path: `/src/${worker}`,
      worker_id: worker,
    })
    const base = `/v1/agent/codebases/${ws.body.workspace.id}/sessions`
    const sessions = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `s-${i}`, title: `S${i}`, agent: 'claude' }))
    assert.equal(
      (await call('POST', `${base}/sync`, { worker_id: worker, sessions: sessions(2) })).status,
      200,
    )
    const messages = { worker_id: worker, messages: [] }
    assert.equal((await call('POST', `${base}/s-0/messages/sync`, messages)).status, 200)
    refusedBy(await call('POST', `${base}/s-1/messages/sync`, messages), 'sessions_per_minute', 429)
    // A refused attempt counts too: a caller hammering the limit stays refused.
    refusedBy(
      await call('POST', `${base}/sync`, { worker_id: worker, sessions: sessions(1) }),
      'sessions_per_minute',
      429,
    )
    await setLimits({ sessions_per_minute: null })
  })

  test('SECURITY.md lists every limit of the table', () => {
    const doc = readFileSync(new URL('../SECURITY.md', import.meta.url), 'utf8')
    for (const name of LIMIT_NAMES) assert.match(doc, new RegExp(`\\| \`${name}\` +\\|`), name)
  })

  test('request bodies are bounded per route, before anything reads them', async () => {
    const login = await api('/v1/auth/login', {
      method: 'POST',
      token: null,
      json: { username: 'a', password: 'p'.repeat(20_000) },
    })
    refusedBy({ status: login.status, body: await login.json() }, 'body_bytes_auth', 413)
    // The same size is fine where the general bound applies.
    assert.equal((await task('p'.repeat(20_000))).status, 200)
  })
})
