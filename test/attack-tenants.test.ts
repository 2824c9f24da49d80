/**
 * Attack suite: tenants stay apart outside Postgres too. Task ids are unique only within a
 * tenant, so the live object of one tenant's task must never be the other's.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
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
