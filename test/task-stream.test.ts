/**
 * The TaskStream object's `watched` flag: changes of a task nobody follows skip the live
 * fan-out, and following starts and stops without a missed or doubled event.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { readSse } from './a2a-helpers'
import { api, asTenant, connectAsApp, stack } from './helpers'
import { claim, createTask, output, register, release } from './queue-helpers'

async function watched(taskId: string): Promise<boolean> {
  const app = await connectAsApp()
  try {
    const { rows } = await asTenant(app, stack().tenantId, () =>
      app.query<{ watched: boolean }>('select watched from tasks where id = $1', [taskId]),
    )
    return rows[0]?.watched as boolean
  } finally {
    await app.end()
  }
}

const outputs = (events: { event?: string; data: unknown }[]) =>
  events.filter((e) => e.event === 'output').map((e) => (e.data as { output: string }).output)

describe('task streams', () => {
  test('a task is watched while someone follows it, and not after', async () => {
    const a = await register()
    const task = await createTask()
    await claim(a, task.id)
    await output(a, task.id, 'unseen')
    assert.equal(await watched(task.id), false, 'nobody follows it yet')

    const first = await api(`/v1/agent/tasks/${task.id}/output/stream`)
    const reading = readSse(first, (_e, all) => outputs(all).length === 2)
    await output(a, task.id, 'live')
    assert.deepEqual(outputs(await reading), ['unseen', 'live'])
    assert.equal(await watched(task.id), true)

    // The follower left. The object learns it when a write to the dead stream fails (the
    // cancel does not cross the Worker-to-object hop at once), so within a few changes the
    // flag is cleared.
    const after: string[] = []
    while (after.length < 10 && (await watched(task.id))) {
      after.push(`after ${after.length}`)
      await output(a, task.id, after.at(-1) as string)
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(await watched(task.id), false, `still watched after ${after.length} changes`)

    // Following again replays what was missed and gets the rest live, once each.
    const again = readSse(await api(`/v1/agent/tasks/${task.id}/output/stream`))
    await output(a, task.id, 'last')
    await release(a, task.id)
    assert.deepEqual(outputs(await again), ['unseen', 'live', ...after, 'last'])
  })

  test('followers that come and go while output flows each get every line once', async () => {
    const a = await register()
    const task = await createTask()
    await claim(a, task.id)
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`)
    const followers: Promise<{ event?: string; data: unknown }[]>[] = []
    for (const [i, line] of lines.entries()) {
      // A new follower every few lines, some of which leave after a few lines of their own.
      if (i % 3 === 0) {
        const res = await api(`/v1/agent/tasks/${task.id}/output/stream`)
        const leaveAfter = i % 2 === 0 ? i + 4 : Number.POSITIVE_INFINITY
        followers.push(readSse(res, (_e, all) => outputs(all).length >= leaveAfter))
      }
      await output(a, task.id, line)
    }
    await release(a, task.id)
    for (const [n, events] of (await Promise.all(followers)).entries()) {
      const stays = n % 2 === 1
      const expected = stays ? lines : lines.slice(0, 3 * n + 4)
      assert.deepEqual(outputs(events), expected, `follower ${n}`)
      if (stays) assert.equal(events.at(-1)?.event, 'done')
    }
  })
})
