/** Cron jobs: CRUD as upstream, each due slot fired exactly once, even by racing schedulers. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { api, asTenant, connectAsApp, stack, stackVars, startTestWorker } from './helpers'

const template = { prompt: 'nightly report', agent_type: 'echo' }
const create = (body: Record<string, unknown>, base = stack().url) =>
  api(new URL('/v1/cronjobs', base).href, {
    method: 'POST',
    json: { name: 'report', cron_expression: '* * * * *', task_template: template, ...body },
  })
const tick = (id: string, base = stack().url) =>
  api(new URL(`/v1/cronjobs/internal/${id}/trigger`, base).href, { method: 'POST' })
const runsOf = async (id: string) =>
  (await (await api(`/v1/cronjobs/${id}/runs`)).json()).runs as {
    id: string
    status: string
    task_id: string
    scheduled_for: string
    trigger: string
  }[]

/** Runs SQL as the app role in the stack's tenant (what the Worker can do, nothing more). */
async function asApp<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const app = await connectAsApp()
  try {
    return (await asTenant(app, stack().tenantId, () => app.query(sql, params))).rows as T[]
  } finally {
    await app.end()
  }
}

describe('cron jobs', () => {
  test('validate-cron answers the next runs or what is wrong', async () => {
    const ok = await api('/v1/cronjobs/validate-cron', {
      method: 'POST',
      json: { cron_expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
    })
    const body = await ok.json()
    assert.equal(body.valid, true)
    assert.equal(body.next_runs.length, 5)
    assert.ok(
      body.next_runs.every((r: string) => /T0[78]:00:00/.test(r)),
      body.next_runs,
    )
    for (const [expr, tz, why] of [
      ['* * * *', 'UTC', /5 fields/],
      ['61 * * * *', 'UTC', /minute/],
      ['* * * * *', 'Mars/Olympus', /time zone/],
    ] as const) {
      const res = await api('/v1/cronjobs/validate-cron', {
        method: 'POST',
        json: { cron_expression: expr, timezone: tz },
      })
      const bad = await res.json()
      assert.equal(bad.valid, false)
      assert.match(bad.error, why)
    }
  })

  test('create, list, get, update, toggle, delete; bad input is a 400 naming the problem', async () => {
    const res = await create({ cron_expression: '30 2 * * *' })
    assert.equal(res.status, 200)
    const job = await res.json()
    assert.match(job.next_run_at, /T02:30:00/)
    assert.equal((await create({ cron_expression: 'every day' })).status, 400)
    const noPrompt = await create({ task_template: { agent_type: 'build' } })
    assert.equal(noPrompt.status, 400)
    assert.match(JSON.stringify(await noPrompt.json()), /prompt/)

    const page = await (await api('/v1/cronjobs?page=1&page_size=1')).json()
    assert.equal(page.items.length, 1)
    assert.ok(page.total >= 1)
    assert.equal(page.page_size, 1)
    assert.equal((await (await api(`/v1/cronjobs/${job.id}`)).json()).name, 'report')

    const put = await api(`/v1/cronjobs/${job.id}`, {
      method: 'PUT',
      json: { cron_expression: '15 * * * *' },
    })
    assert.match((await put.json()).next_run_at, /:15:00/)
    const off = await (await api(`/v1/cronjobs/${job.id}/toggle`, { method: 'POST' })).json()
    assert.equal(off.enabled, false)
    assert.equal(off.next_run_at, null)
    const on = await (await api(`/v1/cronjobs/${job.id}/toggle`, { method: 'POST' })).json()
    assert.match(on.next_run_at, /:15:00/)
    assert.equal((await api(`/v1/cronjobs/${job.id}`, { method: 'DELETE' })).status, 200)
    assert.equal((await api(`/v1/cronjobs/${job.id}`)).status, 404)
    assert.equal((await api('/v1/cronjobs/not-a-uuid')).status, 400)
  })

  test('two schedulers ticking at once fire a due slot once; missed slots coalesce', async () => {
    // Ticks that straddle a minute boundary rightly fire two slots: start clear of one.
    const intoMinute = Date.now() % 60_000
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute))
    const job = await (await create({})).json()
    // Three slots missed (the platform was down): one run, for the latest.
    await asApp(
      `update cron_jobs set next_run_at = date_trunc('minute', now()) - interval '3 minutes' where id = $1`,
      [job.id],
    )
    const ticks = await Promise.all([tick(job.id), tick(job.id), tick(job.id)])
    assert.deepEqual(
      ticks.map((t) => t.status),
      [200, 200, 200],
    )
    const runs = await runsOf(job.id)
    assert.equal(runs.length, 1, JSON.stringify(runs))
    const [slot] = await asApp<{ s: Date }>(`select date_trunc('minute', now()) as s`)
    assert.equal(new Date(runs[0]?.scheduled_for ?? 0).getTime(), slot?.s.getTime())
    const task = await (await api(`/v1/agent/tasks/${runs[0]?.task_id}`)).json()
    assert.equal(task.metadata.cronjob_id, job.id)
    assert.equal(task.prompt, 'nightly report')
    const after = await (await api(`/v1/cronjobs/${job.id}`)).json()
    assert.ok(new Date(after.next_run_at) > new Date(), 'the next slot is in the future')
    await tick(job.id)
    assert.equal((await runsOf(job.id)).length, 1, 'nothing more is due')

    const manual = await (await api(`/v1/cronjobs/${job.id}/trigger`, { method: 'POST' })).json()
    assert.equal(manual.success, true)
    assert.match(manual.task_id, /^cron-/)
    assert.equal((await runsOf(job.id)).length, 2)
  })

  test('a scheduler that died after claiming: its run is finished once, never twice', async () => {
    const job = await (await create({ enabled: false })).json()
    const [run] = await asApp<{ id: string }>(
      `insert into cron_runs (tenant_id, cronjob_id, scheduled_for, started_at)
         values ($1, $2, now() - interval '5 minutes', now() - interval '5 minutes') returning id`,
      [stack().tenantId, job.id],
    )
    // Another died after creating the task but before recording it.
    const [run2] = await asApp<{ id: string }>(
      `insert into cron_runs (tenant_id, cronjob_id, scheduled_for, started_at)
         values ($1, $2, now() - interval '4 minutes', now() - interval '4 minutes') returning id`,
      [stack().tenantId, job.id],
    )
    await asApp(
      `insert into tasks (tenant_id, id, context_id, prompt, status) values ($1, $2, gen_random_uuid(), 'made before the crash', 'submitted')`,
      [stack().tenantId, `cron-${run2?.id}`],
    )
    await tick(job.id)
    await tick(job.id)
    const runs = await runsOf(job.id)
    assert.deepEqual(runs.map((r) => r.status).sort(), ['pending', 'pending'])
    const tasks = await asApp<{ id: string }>(`select id from tasks where id = any($1)`, [
      [`cron-${run?.id}`, `cron-${run2?.id}`],
    ])
    assert.equal(tasks.length, 2, 'one task per run')
  })

  test("the tenant's alarm fires a due job by itself", async () => {
    const server = await startTestWorker('cron-alarm', {
      ...stackVars(),
      REAPER_INTERVAL_SECONDS: '1',
    })
    try {
      const job = await (await create({}, server.url)).json()
      // Its slot moves into the past in the rows alone, as time passing would; no call tells
      // the scheduler, which reads the jobs again every (here 1 s) reaper interval.
      await asApp(`update cron_jobs set next_run_at = now() - interval '1 second' where id = $1`, [
        job.id,
      ])
      let runs: unknown[] = []
      for (let i = 0; i < 100 && runs.length === 0; i++) {
        await sleep(100)
        runs = await runsOf(job.id)
      }
      assert.equal(runs.length, 1)
      await api(`/v1/cronjobs/${job.id}`, { method: 'DELETE' })
    } finally {
      await server.worker.stop()
    }
  })
})
