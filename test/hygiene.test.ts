/** Data hygiene: retention keeps a finished task's outcome and drops its old lines; export. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rpc } from './a2a-helpers'
import { api, asTenant, connectAsApp, stack } from './helpers'
import { claim, createTask, output, register, release } from './queue-helpers'

async function ageTask(id: string, days: number) {
  const app = await connectAsApp()
  try {
    await asTenant(app, stack().tenantId, () =>
      app.query(`update tasks set completed_at = now() - make_interval(days => $2) where id = $1`, [
        id,
        days,
      ]),
    )
  } finally {
    await app.end()
  }
}

const runRetention = async () =>
  (await (await api('/v1/admin/retention/run', { method: 'POST' })).json()).deleted as {
    output: number
    events: number
  }

describe('retention and export', () => {
  test('old output goes after 30 days, other events after 90; the outcome always stays', async () => {
    const worker = await register()
    const task = await createTask()
    const { attempt } = await (await claim(worker, task.id)).json()
    for (const line of ['one', 'two', 'three']) await output(worker, task.id, line, attempt)
    await release(worker, task.id, { result: 'all done' })

    await ageTask(task.id, 10)
    await runRetention()
    assert.equal((await (await api(`/v1/agent/tasks/${task.id}/output`)).json()).total, 3, 'kept')

    await ageTask(task.id, 40)
    const first = await runRetention()
    assert.ok(first.output >= 3)
    assert.equal((await (await api(`/v1/agent/tasks/${task.id}/output`)).json()).total, 0)
    const got = await rpc('tasks/get', { id: task.id })
    assert.equal(got.body.result.status.state, 'completed')

    await ageTask(task.id, 100)
    await runRetention()
    // Only the final event is left: a late subscriber still learns the outcome at once.
    const res = await api(`/v1/agent/tasks/${task.id}/output/stream`)
    assert.match(await res.text(), /event: done[\s\S]*"status":"completed"/)
    const row = await (await api(`/v1/agent/tasks/${task.id}`)).json()
    assert.equal(row.result, 'all done')
  })

  test("export: the tenant's rows as NDJSON, without secrets or other tenants", async () => {
    const worker = await register()
    const made = await api('/v1/agent/workspaces', {
      method: 'POST',
      json: { name: 'exported', path: `/srv/exported-${Date.now()}`, worker_id: worker },
    })
    assert.equal(made.status, 200)
    const res = await api('/v1/admin/export')
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="codetether-/)
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const end = lines.pop()
    assert.deepEqual(end, { complete: true, rows: lines.length }, 'the last line says it is whole')
    const tables = new Set(lines.map((l) => l.table))
    for (const t of ['tenants', 'tasks', 'task_events', 'workspaces', 'workers'])
      assert.ok(tables.has(t), `${t} exported`)
    for (const { table, row } of lines) {
      assert.equal(table === 'tenants' ? row.id : row.tenant_id, stack().tenantId)
      const secret = Object.keys(row).filter((k) => /hash|sealed|secret/.test(k))
      assert.deepEqual(secret, [], `${table} exports no secret`)
    }
    assert.ok(lines.some((l) => l.table === 'workspaces' && l.row.name === 'exported'))
  })
})
