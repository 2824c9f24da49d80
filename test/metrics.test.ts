/** /metrics: Prometheus text a real parser reads, figures that move when work happens. */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, test } from 'node:test'
import { BUCKETS } from '../src/lib/counters'
import { api, newTenantAdmin, stackVars, startTestWorker } from './helpers'

interface Family {
  name: string
  type: string
  metrics: {
    labels?: Record<string, string>
    value?: string
    buckets?: Record<string, string>
    count?: string
  }[]
}
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => Family[]

async function scrape(base?: string, token?: string | null) {
  const res = base
    ? await fetch(`${base}/metrics`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
    : await api('/metrics')
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return parse(await res.text())
}

/** The value of one series (labels matching), 0 when absent. */
function value(families: Family[], name: string, labels: Record<string, string> = {}) {
  const family = families.find((f) => f.name === name)
  const m = family?.metrics.find((x) =>
    Object.entries(labels).every(([k, v]) => x.labels?.[k] === v),
  )
  return Number(m?.value ?? m?.count ?? 0)
}

describe('/metrics', () => {
  test('parses as Prometheus text; request, queue and task figures move with the work', async () => {
    const before = await scrape()
    for (const name of [
      'codetether_http_requests_total',
      'codetether_http_request_duration_seconds',
      'codetether_tasks',
      'codetether_queue_depth',
      'codetether_queue_oldest_pending_seconds',
      'codetether_workers_online',
    ]) {
      assert.ok(
        before.some((f) => f.name === name),
        `${name} is served`,
      )
    }
    // Other test files share the default tenant and the platform totals; the work here is done
    // in a tenant of its own, so its gauge moves by exactly what this test did.
    const { tenantId: tenant, key } = await newTenantAdmin()
    const route = { method: 'GET', route: '/v1/agent/tasks/:id', status: '200' }
    const created = []
    for (let i = 0; i < 2; i++) {
      const res = await api('/v1/agent/tasks', {
        method: 'POST',
        token: key,
        json: { prompt: `metrics ${i}` },
      })
      created.push((await res.json()).id as string)
    }
    for (const id of created)
      assert.equal((await api(`/v1/agent/tasks/${id}`, { token: key })).status, 200)
    const after = await scrape()
    assert.equal(value(after, 'codetether_tenant_queue_depth', { tenant }), 2)
    assert.ok(
      value(after, 'codetether_queue_depth') >= 2,
      'the platform total counts that tenant too',
    )
    assert.equal(
      value(after, 'codetether_tasks', { state: 'submitted' }),
      value(after, 'codetether_queue_depth'),
    )
    assert.ok(value(after, 'codetether_queue_oldest_pending_seconds') >= 0)
    assert.ok(
      value(after, 'codetether_http_requests_total', route) -
        value(before, 'codetether_http_requests_total', route) >=
        2,
      'GET /v1/agent/tasks/:id counted by its pattern, not by id',
    )
    // The parser folds labelled histograms together; their series are checked in the text.
    const text = await (await api('/metrics')).text()
    const line = (s: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(s))
          ?.split(' ')[1],
      )
    const labels = 'method="GET",route="/v1/agent/tasks/:id"'
    const total = line(`codetether_http_request_duration_seconds_count{${labels}}`)
    assert.ok(total >= 2)
    assert.equal(
      line(`codetether_http_request_duration_seconds_bucket{${labels},le="+Inf"}`),
      total,
    )
    // Cumulative: each bucket holds the ones below it, and none holds more than all.
    const buckets = BUCKETS.map((le) =>
      line(`codetether_http_request_duration_seconds_bucket{${labels},le="${le}"}`),
    )
    assert.ok(
      buckets.every((b, i) => b >= (buckets[i - 1] ?? 0) && b <= total),
      buckets.join(' '),
    )
    const ids = JSON.stringify(after)
    for (const id of created) assert.ok(!ids.includes(id), 'no task id in a label')
    for (const id of created)
      await api(`/v1/agent/tasks/${id}/cancel`, { method: 'POST', token: key })
  })

  test('open SSE streams are counted while they are open', async () => {
    const res = await api('/v1/agent/tasks', { method: 'POST', json: { prompt: 'watch me' } })
    const { id } = await res.json()
    const kind = { kind: 'task_output' }
    const before = value(await scrape(), 'codetether_sse_subscribers', kind)
    const stream = await api(`/v1/agent/tasks/${id}/output/stream`)
    assert.equal(value(await scrape(), 'codetether_sse_subscribers', kind), before + 1)
    // The task ends, so does its stream (with its `done` event).
    await api(`/v1/agent/tasks/${id}/cancel`, { method: 'POST' })
    assert.match(await stream.text(), /event: done/)
    let now = before + 1
    for (let i = 0; i < 50 && now !== before; i++) {
      await new Promise((r) => setTimeout(r, 100))
      now = value(await scrape(), 'codetether_sse_subscribers', kind)
    }
    assert.equal(now, before)
  })

  test('outside dev mode: the scraper token or an admin; anyone else is refused', async () => {
    const server = await startTestWorker('metrics-auth', {
      ...stackVars(),
      AUTH_MODE: 'production',
      A2A_AUTH_TOKENS: 'ops:ops-token-123',
      METRICS_TOKEN: 'scrape-me-456',
    })
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401)
      const wrong = await fetch(`${server.url}/metrics`, {
        headers: { Authorization: 'Bearer guess' },
      })
      assert.equal(wrong.status, 401)
      assert.ok((await scrape(server.url, 'scrape-me-456')).length > 0)
      assert.ok((await scrape(server.url, 'ops-token-123')).length > 0, 'an admin token')
      const created = await fetch(`${server.url}/v1/auth/api-keys`, {
        method: 'POST',
        headers: { Authorization: 'Bearer ops-token-123', 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'viewer', role: 'viewer' }),
      })
      const { key } = (await created.json()) as { key: string }
      const viewer = await fetch(`${server.url}/metrics`, {
        headers: { Authorization: `Bearer ${key}` },
      })
      assert.equal(viewer.status, 403, 'metrics:read is for admins')
      const text = await (
        await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer scrape-me-456' } })
      ).text()
      assert.ok(!text.includes('scrape-me-456') && !text.includes('ops-token-123'))
    } finally {
      await server.worker.stop()
    }
  })
})
