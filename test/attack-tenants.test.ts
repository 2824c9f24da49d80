/**
 * Attack suite: tenants stay apart outside Postgres too. Task ids are unique only within a
 * tenant, so the live object of one tenant's task must never be the other's; and /metrics
 * shows a tenant's admin their own tenant's series, platform totals only to the operator.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { before, describe, test } from 'node:test'
import { readSse } from './a2a-helpers'
import { api, asTenant, connectAsOwner, newTenantAdmin, stack } from './helpers'
import { uid } from './queue-helpers'

test("two tenants' tasks of one id each stream live, and only their own events", {
  timeout: 30_000,
}, async () => {
  const other = await newTenantAdmin()
  const id = `same-${uid()}`
  const owner = await connectAsOwner()
  try {
    for (const [tenantId, title] of [
      [stack().tenantId, 'mine'],
      [other.tenantId, 'theirs'],
    ] as const) {
      await asTenant(owner, tenantId, () =>
        owner.query('insert into tasks (tenant_id, id, title) values ($1, $2, $3)', [
          tenantId,
          id,
          title,
        ]),
      )
    }
  } finally {
    await owner.end()
  }
  const follow = async (token: string | undefined) => {
    const res = await api(`/v1/agent/tasks/${id}/output/stream`, { token })
    assert.equal(res.status, 200, await res.clone().text())
    return readSse(res, (e) => e.event === 'done')
  }
  // Both follow at once: whichever reaches the live object second must still be served.
  const mine = follow(undefined)
  const theirs = follow(other.key)
  const cancel = (token: string | undefined) =>
    api(`/v1/agent/tasks/${id}/cancel`, { method: 'POST', token })
  assert.equal((await cancel(other.key)).status, 200)
  const theirEvents = await theirs
  assert.equal(theirEvents.at(-1)?.event, 'done', 'their stream saw their own end')
  assert.equal((await cancel(undefined)).status, 200)
  const myEvents = await mine
  assert.equal(myEvents.filter((e) => e.event === 'done').length, 1, 'mine ended once, on mine')
})

describe('/metrics by who asks', () => {
  const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (
    text: string,
  ) => { name: string; metrics: { labels?: Record<string, string> }[] }[]
  const PLATFORM = [
    'codetether_http_requests_total',
    'codetether_http_request_duration_seconds',
    'codetether_tasks',
    'codetether_queue_depth',
    'codetether_queue_oldest_pending_seconds',
    'codetether_workers_online',
  ]
  let tenantB: string
  let adminB: string
  before(async () => {
    ;({ tenantId: tenantB, key: adminB } = await newTenantAdmin())
    // Each tenant has work, so each has series to show (or to hide).
    const a = await api('/v1/agent/tasks', { method: 'POST', json: { prompt: 'metrics a' } })
    assert.equal(a.status, 200, await a.text())
    const b = await api('/v1/agent/tasks', {
      method: 'POST',
      token: adminB,
      json: { prompt: 'metrics b' },
    })
    assert.equal(b.status, 200, await b.text())
  })

  async function scrape(token: string) {
    const res = await api('/metrics', { token })
    const text = await res.text()
    assert.equal(res.status, 200, text)
    return { text, families: parse(text) }
  }
  const tenantsIn = (families: ReturnType<typeof parse>) =>
    new Set(families.flatMap((f) => f.metrics.map((m) => m.labels?.tenant)))

  test("a tenant's admin sees that tenant's series only, and no platform totals", async () => {
    const { text, families } = await scrape(adminB)
    assert.ok(
      families.some((f) => f.name === 'codetether_tenant_tasks'),
      text,
    )
    for (const name of PLATFORM) {
      assert.ok(!families.some((f) => f.name === name), `${name} is the operator's`)
    }
    assert.deepEqual([...tenantsIn(families)], [tenantB])
    assert.ok(!text.includes(stack().tenantId), "no series of tenant A's")
  })

  test("the operator sees platform totals and every tenant's series", async () => {
    const { families } = await scrape(stack().devToken)
    for (const name of PLATFORM)
      assert.ok(
        families.some((f) => f.name === name),
        name,
      )
    const tenants = tenantsIn(families)
    assert.ok(tenants.has(stack().tenantId) && tenants.has(tenantB), [...tenants].join(','))
  })
})
