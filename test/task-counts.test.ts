/**
 * ListTasks over many tasks. A listing's total without a filter comes from the tenant's kept
 * count (migration 0025): it must equal a count of the tenant's tasks however they were made
 * or removed, and only the trigger may change it. A page reads a page of the tasks index, even
 * among tasks that share a status time (migration 0029).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sendMessageBody } from '../bench/lib'
import { api, asTenant, connectAsApp, newTenantAdmin, sqlState } from './helpers'

/** A JSON-RPC call in v1.0 with `key`'s tenant. */
async function call(key: string, method: string, params: unknown) {
  const res = await api('/', {
    method: 'POST',
    token: key,
    headers: { 'A2A-Version': '1.0' },
    json: { jsonrpc: '2.0', id: 1, method, params },
  })
  const body = await res.json()
  assert.equal(body.error, undefined, JSON.stringify(body.error))
  return body.result
}

const totalOf = async (key: string, params = {}) =>
  (await call(key, 'ListTasks', { pageSize: 1, ...params })).totalSize as number

/** Tasks made in the database as the app role: `n` in one statement. */
async function insertTasks(tenantId: string, n: number, contextId = crypto.randomUUID()) {
  const app = await connectAsApp()
  try {
    await asTenant(app, tenantId, () =>
      app.query(
        `insert into tasks (tenant_id, id, context_id, status)
           select $1, gen_random_uuid()::text, $2, 'submitted' from generate_series(1, $3)`,
        [tenantId, contextId, n],
      ),
    )
  } finally {
    await app.end()
  }
  return contextId
}

describe('the tenant task count behind ListTasks totalSize', () => {
  test('follows tasks sent, inserted many at once, from many connections, and deleted', async () => {
    const a = await newTenantAdmin()
    const b = await newTenantAdmin()
    assert.equal(await totalOf(a.key), 0)
    for (const text of ['2 * 3', '4 + 4']) {
      await call(a.key, 'SendMessage', JSON.parse(sendMessageBody(text)()).params)
    }
    assert.equal(await totalOf(a.key), 2)
    const batch = await insertTasks(a.tenantId, 5)
    // Sixteen connections at once: the count's slots are per backend.
    await Promise.all(Array.from({ length: 16 }, () => insertTasks(a.tenantId, 1)))
    await insertTasks(b.tenantId, 3)
    assert.equal(await totalOf(a.key), 23)
    assert.equal(await totalOf(b.key), 3, "one tenant's tasks are not another's total")
    assert.equal(await totalOf(a.key, { contextId: batch }), 5, 'a filter still counts tasks')

    const app = await connectAsApp()
    try {
      await asTenant(app, a.tenantId, () =>
        app.query('delete from tasks where context_id = $1', [batch]),
      )
    } finally {
      await app.end()
    }
    assert.equal(await totalOf(a.key), 18)
    const { tasks } = await call(a.key, 'ListTasks', { pageSize: 100 })
    assert.equal(tasks.length, 18, 'the total is what a listing of every page finds')
  })

  test('the app role reads its tenant count but cannot write it', async () => {
    const { tenantId } = await newTenantAdmin()
    await insertTasks(tenantId, 2)
    const app = await connectAsApp()
    try {
      const seen = await asTenant(app, tenantId, async () => {
        const { rows } = await app.query(
          'select tenant_id, sum(n)::int as n from task_counts group by 1',
        )
        return rows
      })
      assert.deepEqual(seen, [{ tenant_id: tenantId, n: 2 }])
      for (const write of [
        `insert into task_counts (tenant_id, slot, n) values ('${tenantId}', 99, 1000)`,
        'update task_counts set n = n + 1000',
        'delete from task_counts',
      ]) {
        const state = await sqlState(asTenant(app, tenantId, () => app.query(write)))
        assert.equal(state, '42501', write)
      }
    } finally {
      await app.end()
    }
  })
})

/** The nodes of an EXPLAIN (FORMAT JSON) plan, depth first. */
function planNodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const below = (plan.Plans as Record<string, unknown>[] | undefined) ?? []
  return [plan, ...below.flatMap(planNodes)]
}

describe('pages of tasks that share a status time', () => {
  test('every task once, ties by id descending; a page reads a page of the index', async () => {
    const a = await newTenantAdmin()
    await insertTasks(a.tenantId, 300) // one statement, one now(): one status time for all
    const seen: string[] = []
    let pageToken = ''
    do {
      const page = await call(a.key, 'ListTasks', { pageSize: 40, pageToken, historyLength: 0 })
      seen.push(...page.tasks.map((t: { id: string }) => t.id))
      pageToken = page.nextPageToken
    } while (pageToken)
    assert.equal(new Set(seen).size, 300, 'every task, once')
    assert.deepEqual(seen, [...seen].sort().reverse(), 'ties in id order, descending')

    // With sorting priced out, a plan exists that reads only the page: the index is in the
    // listing's order. In 0002's (ids ascending within a time) the page sorted all 300.
    const app = await connectAsApp()
    try {
      const nodes = await asTenant(app, a.tenantId, async () => {
        await app.query('set local enable_sort = off')
        await app.query('set local enable_incremental_sort = off')
        const { rows } = await app.query(
          'explain (analyze, format json) select id from tasks order by status_at desc, id desc limit 11',
        )
        return planNodes(rows[0]['QUERY PLAN'][0].Plan)
      })
      const types = nodes.map((n) => n['Node Type'])
      assert.ok(!types.some((t) => String(t).includes('Sort')), types.join(' > '))
      const scan = nodes.find((n) => String(n['Node Type']).startsWith('Index'))
      assert.equal(scan?.['Index Name'], 'tasks_status_at_id_idx')
      assert.ok((scan?.['Actual Rows'] as number) <= 11, `read ${scan?.['Actual Rows']} rows`)
    } finally {
      await app.end()
    }
  })
})
