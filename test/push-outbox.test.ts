/**
 * Push deliveries are kept in Postgres and retried by the tenant's scheduler (its alarm): a
 * webhook that fails, then recovers, gets each event exactly once, in order; every try is
 * listed at /v1/agent/tasks/{id}/push-deliveries; a delivery waiting for its retry outlives
 * a restart of the Worker.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { startWrangler } from '../scripts/stack/wrangler'
import { openTask, rpc } from './a2a-helpers'
import { launchBrowser, watchErrors } from './browser'
import { api, asTenant, connectAsApp, stack, stackVars, startTestWorker } from './helpers'
import { until } from './worker-helpers'

interface Hit {
  path: string
  eventId: string
  status: number
  state: string
}

let server: Server
let base: string
const hits: Hit[] = []
/** Per path: how many more tries of each event are answered 500. */
const failures = new Map<string, number>()
/** Paths answered 503 until taken out of this set (a receiver that is down). */
const down = new Set<string>()
const triesOf = new Map<string, number>()

before(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const path = req.url ?? '/'
      const eventId = String(req.headers['x-a2a-event-id'])
      const tries = (triesOf.get(eventId) ?? 0) + 1
      triesOf.set(eventId, tries)
      const status = down.has(path) || tries <= (failures.get(path) ?? 0) ? 500 : 200
      const state = JSON.parse(body).statusUpdate?.status?.state ?? ''
      hits.push({ path, eventId, status, state })
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => new Promise((r) => server.close(r)))

const V1 = { 'A2A-Version': '1.0' }
const answer = (taskId: string, contextId: string) => ({
  message: {
    messageId: crypto.randomUUID(),
    role: 'ROLE_USER',
    taskId,
    contextId,
    parts: [{ text: 'add 1 and 2' }],
  },
})
const delivered = (path: string) => hits.filter((h) => h.path === path && h.status === 200)

interface Listing {
  deliveries: {
    seq: number
    event_id: string
    state: string
    attempts: number
    next_retry_at: string | null
    tries: {
      attempt: number
      attempted_at: string
      status_code: number | null
      next_retry_at: string | null
    }[]
  }[]
}

/** The task of the first test, whose deliveries the UI test shows. */
let retriedTask = ''

describe('the push outbox', () => {
  test('a webhook failing twice gets each event once, in order, after retries', async () => {
    const open = await openTask()
    retriedTask = open.id
    failures.set('/flaky', 2)
    const cfg = await rpc(
      'CreateTaskPushNotificationConfig',
      { taskId: open.id, url: `${base}/flaky`, token: 'tok' },
      V1,
    )
    assert.ok(cfg.body.result?.id, JSON.stringify(cfg.body))
    await rpc('SendMessage', answer(open.id, open.contextId), V1)
    await until('both events are delivered', async () => delivered('/flaky').length >= 2, 30_000)
    // Three more retry intervals: a duplicate would show by now.
    await new Promise((r) => setTimeout(r, 1_000))
    const ok = delivered('/flaky')
    assert.deepEqual(
      ok.map((h) => h.state),
      ['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED'],
      'each event once, in seq order',
    )
    assert.equal(new Set(ok.map((h) => h.eventId)).size, 2)
    for (const id of ok.map((h) => h.eventId)) {
      assert.deepEqual(
        hits.filter((h) => h.eventId === id).map((h) => h.status),
        [500, 500, 200],
        id,
      )
    }

    const res = await api(`/v1/agent/tasks/${open.id}/push-deliveries`)
    assert.equal(res.status, 200)
    const listing = (await res.json()) as Listing
    assert.equal(listing.deliveries.length, 2)
    for (const d of listing.deliveries) {
      assert.equal(d.state, 'delivered')
      assert.equal(d.attempts, 3)
      assert.equal(d.next_retry_at, null)
      assert.deepEqual(
        d.tries.map((t) => t.status_code),
        [500, 500, 200],
      )
      assert.ok(d.tries[0]?.next_retry_at && d.tries[1]?.next_retry_at, 'failures say when')
      assert.equal(d.tries[2]?.next_retry_at, null)
      const wait = (t: { attempted_at: string; next_retry_at: string | null }) =>
        Date.parse(t.next_retry_at ?? '') - Date.parse(t.attempted_at)
      const [first, second] = d.tries
      assert.ok(first && second && wait(second) > wait(first), 'the backoff grows')
    }
  })

  test('the task view shows its deliveries: tries, state and next retry', async () => {
    assert.ok(retriedTask, 'runs after the retry test')
    const { browser, close } = await launchBrowser()
    try {
      const ctx = await browser.newContext()
      await ctx.addInitScript((token) => localStorage.setItem('ct_token', token), stack().devToken)
      const page = await ctx.newPage()
      const errors = watchErrors(page)
      await page.goto(`${stack().url}/v1/monitor/#/tasks/${encodeURIComponent(retriedTask)}`)
      const table = page.getByRole('table', { name: /Webhook deliveries/ })
      await table.waitFor()
      const rows = table.locator('tbody tr')
      assert.equal(await rows.count(), 2)
      for (const row of await rows.all()) {
        const cells = row.locator('td')
        assert.equal(await cells.nth(0).textContent(), 'delivered')
        assert.equal(await cells.nth(1).textContent(), '500, 500, 200')
      }
      assert.deepEqual(errors, [])
    } finally {
      await close()
    }
  })

  test('retention drops settled deliveries with the events, by when they settled', async () => {
    assert.ok(retriedTask, 'runs after the retry test')
    const app = await connectAsApp()
    try {
      await asTenant(app, stack().tenantId, () =>
        app.query(
          `update push_deliveries set settled_at = now() - interval '100 days' where task_id = $1`,
          [retriedTask],
        ),
      )
    } finally {
      await app.end()
    }
    const run = await api('/v1/admin/retention/run', { method: 'POST' })
    assert.ok(((await run.json()) as { deleted: { pushes: number } }).deleted.pushes >= 2)
    const listing = (await (
      await api(`/v1/agent/tasks/${retriedTask}/push-deliveries`)
    ).json()) as Listing
    assert.deepEqual(listing.deliveries, [])
  })

  test('the listing is per task and needs the task to exist', async () => {
    const open = await openTask()
    const empty = (await (
      await api(`/v1/agent/tasks/${open.id}/push-deliveries`)
    ).json()) as Listing
    assert.deepEqual(empty.deliveries, [])
    const missing = await api(`/v1/agent/tasks/${crypto.randomUUID()}/push-deliveries`)
    assert.equal(missing.status, 404)
  })

  test('a delivery waiting for its retry survives a restart of the Worker', async () => {
    // Its own Worker (same database and tenant) with retries 2 s apart, stopped mid-wait.
    const started = await startTestWorker('push-restart', {
      ...stackVars(),
      PUSH_RETRY_BASE_MS: '2000',
    })
    let worker = started.worker
    const call = (method: string, params: unknown) =>
      fetch(`${started.url}/`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${stack().devToken}`,
          ...V1,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      }).then((r) => r.json())
    try {
      const open = await openTask()
      down.add('/down')
      await call('CreateTaskPushNotificationConfig', { taskId: open.id, url: `${base}/down` })
      await call('SendMessage', answer(open.id, open.contextId))
      await until('the first try failed', async () =>
        hits.some((h) => h.path === '/down') ? true : undefined,
      )
      await worker.stop()
      down.delete('/down')
      worker = await startWrangler(started.options)
      await until(
        'both events are delivered by the restarted Worker',
        async () => delivered('/down').length >= 2,
        30_000,
      )
      assert.deepEqual(
        delivered('/down').map((h) => h.state),
        ['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED'],
      )
    } finally {
      await worker.stop()
    }
  })
})
