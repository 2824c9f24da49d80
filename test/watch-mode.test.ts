/**
 * Watch mode: a codebase is watched from the start (its tasks go out as they come); stopped,
 * its queued tasks wait and say why, and a triggered one still runs; started again, the
 * waiting ones are offered to its workers at once. Simulated workers, real HTTP and SSE.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { recordSse } from './a2a-helpers'
import { api } from './helpers'
import { claim, register, uid } from './queue-helpers'
import { until } from './worker-helpers'

async function codebase(worker: string) {
  const res = await api('/v1/agent/workspaces', {
    method: 'POST',
    json: { name: 'watched', path: `/srv/${uid()}`, worker_id: worker },
  })
  return (await res.json()).workspace.id as string
}

const watch = async (id: string, action: 'start' | 'stop', interval?: number) =>
  (await (
    await api(`/v1/agent/codebases/${id}/watch/${action}`, {
      method: 'POST',
      json: interval ? { interval } : {},
    })
  ).json()) as { watch_mode: boolean; status: string; interval: number; pending_tasks: number }

const queue = async (id: string, prompt = `job ${uid()}`) =>
  (
    await (
      await api(`/v1/agent/workspaces/${id}/tasks`, { method: 'POST', json: { prompt } })
    ).json()
  ).id as string

/** A worker's task stream, recorded: how often each task was offered on it, and its end. */
async function taskStream(worker: string, codebases: string[]) {
  const abort = new AbortController()
  const res = await api('/v1/worker/tasks/stream', {
    signal: abort.signal,
    headers: { 'X-Worker-ID': worker, 'X-Agent-Name': worker, 'X-Codebases': codebases.join(',') },
  })
  const { events: got, done: reading } = recordSse(res)
  return {
    connected: () => got.some((e) => e.event === 'connected'),
    offers: (task: string) =>
      got.filter((e) => e.event === 'task_available' && (e.data as { id: string }).id === task)
        .length,
    close: async () => {
      abort.abort()
      await reading
    },
  }
}

describe('watch mode', () => {
  test('watched from the start; stopped, queued tasks wait and say why; a trigger still runs', async () => {
    const worker = await register()
    const id = await codebase(worker)
    const status = await (await api(`/v1/agent/codebases/${id}/watch/status`)).json()
    assert.deepEqual([status.watch_mode, status.status], [true, 'watching'])

    const stopped = await watch(id, 'stop')
    assert.deepEqual([stopped.watch_mode, stopped.status], [false, 'stopped'])
    const held = await queue(id)
    assert.equal((await claim(worker, held)).status, 409)
    const polled = await api('/v1/agent/tasks?status=pending&limit=200', {
      headers: { 'X-Worker-ID': worker },
    })
    assert.ok(!((await polled.json()) as { id: string }[]).some((t) => t.id === held))
    const detail = await (await api(`/v1/agent/tasks/${held}`)).json()
    assert.match(detail.waiting_for, /is not watched: its tasks wait until watch\/start/)

    const triggered = await (
      await api(`/v1/agent/codebases/${id}/trigger`, { method: 'POST', json: { prompt: 'now' } })
    ).json()
    assert.equal((await claim(worker, triggered.task_id)).status, 200)
    assert.equal((await watch(id, 'start', 10)).interval, 10)
    assert.equal((await claim(worker, held)).status, 200)
  })

  test('a task queued while its codebase is stopped is not pushed until the watch starts', async () => {
    const worker = await register()
    const id = await codebase(worker)
    const other = await codebase(worker)
    await watch(id, 'stop')
    const stream = await taskStream(worker, [id, other])
    try {
      await until('the stream to connect', async () => stream.connected())
      const held = await queue(id)
      // Pushed after the held one through the same stream: once it is here, so would that be.
      const sentinel = await queue(other)
      await until('the watched codebase’s task', async () => stream.offers(sentinel) > 0)
      assert.equal(stream.offers(held), 0, 'no worker is told of a task that must wait')
      await watch(id, 'start')
      await until('offered when the watch started', async () => stream.offers(held) > 0)
    } finally {
      await stream.close()
    }
  })

  test('starting the watch offers the waiting tasks to the codebase’s workers at once', async () => {
    const worker = await register()
    const id = await codebase(worker)
    const other = await codebase(worker)
    await watch(id, 'stop')
    const held = await queue(id)
    // Queued after the held one in a watched codebase: the replay on connect (oldest first)
    // has offered everything it will once this one arrives.
    const sentinel = await queue(other)
    const stream = await taskStream(worker, [id, other])
    try {
      await until('the replay on connect', async () => stream.offers(sentinel) > 0)
      const before = stream.offers(held)
      await watch(id, 'start')
      await until('offered when the watch started', async () => stream.offers(held) > before)
    } finally {
      await stream.close()
    }
    assert.equal((await claim(worker, held)).status, 200)
  })
})
