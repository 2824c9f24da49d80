/**
 * Priority and deadlines, as a user sets them: one real worker busy with a task takes the
 * waiting ones highest priority first; a task whose deadline passes unclaimed fails, saying so.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { api } from './helpers'
import { createTask } from './queue-helpers'
import {
  createWorkspaceTask,
  getTask,
  settled,
  startWorker,
  tempDir,
  until,
  workspaceOf,
} from './worker-helpers'

describe('priority and deadlines', () => {
  test('one worker takes waiting tasks highest priority first', async () => {
    const codebase = tempDir('priority')
    const worker = startWorker([
      '--codebases',
      codebase,
      '--auto-approve',
      'all',
      '--concurrency',
      '1',
    ])
    try {
      const workspace = await workspaceOf(codebase)
      const command = (prompt: string, priority = 0) =>
        createWorkspaceTask(workspace, { prompt, agent_type: 'command', priority })
      const busy = await command('sleep 2; echo busy >> order.txt')
      await until(
        'the first task running',
        async () => (await getTask(busy.id)).status === 'running',
      )
      const waiting = []
      for (const p of [0, 5, -1, 10, 5]) waiting.push(await command(`echo ${p} >> order.txt`, p))
      for (const t of waiting) assert.equal((await settled(t.id, 60_000)).status, 'completed')
      const order = readFileSync(join(codebase, 'order.txt'), 'utf8').trim().split('\n')
      assert.deepEqual(order, ['busy', '10', '5', '5', '0', '-1'])
      const listed = (await (await api(`/v1/agent/tasks/${waiting[3]?.id}`)).json()) as {
        priority: number
      }
      assert.equal(listed.priority, 10, 'the task shows its priority')
    } finally {
      assert.equal(await worker.stop(), 0, worker.output())
    }
  })

  test('a task whose deadline passes unclaimed fails with the reason', async () => {
    const task = await createTask({
      required_capabilities: [`nobody-has-${Date.now()}`],
      deadline_at: new Date(Date.now() + 500).toISOString(),
    })
    assert.equal((await getTask(task.id)).status, 'pending', 'waits while its deadline is ahead')
    // The reaper's sweep, run now rather than on its interval, until the deadline has passed.
    const failed = await until('the deadline to fail it', async () => {
      const recovered = await api('/v1/agent/tasks/stuck/recover', { method: 'POST' })
      assert.equal(recovered.status, 200)
      const row = (await getTask(task.id)) as Awaited<ReturnType<typeof getTask>> & {
        deadline_at: string
      }
      return row.status === 'failed' && row
    })
    assert.match(failed.error ?? '', /deadline passed/)
    assert.ok(Date.parse(failed.deadline_at) < Date.now(), 'the deadline is shown')
  })
})
