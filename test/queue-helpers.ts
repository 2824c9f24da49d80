/** Simulated workers for the queue suites: plain HTTP calls, as a real worker makes them. */
import assert from 'node:assert/strict'
import { api, asTenant, connectAsApp, stack } from './helpers'

export const uid = () => crypto.randomUUID().slice(0, 8)

export async function register(
  capabilities: string[] = [],
  models: unknown[] = [],
  agents: unknown[] = [],
) {
  const id = `w-${uid()}`
  const res = await api('/v1/agent/workers/register', {
    method: 'POST',
    json: { worker_id: id, name: id, capabilities, models, agents },
  })
  assert.equal(res.status, 200)
  return id
}

export async function createTask(extra: Record<string, unknown> = {}) {
  const res = await api('/v1/agent/tasks', {
    method: 'POST',
    json: { prompt: `do ${uid()}`, ...extra },
  })
  assert.equal(res.status, 200, await res.clone().text())
  return (await res.json()) as { id: string; status: string }
}

/** The attempt each simulated worker last claimed each task at: its writes' fence. */
const attempts = new Map<string, number>()
export const attemptOf = (worker: string, taskId: string) => attempts.get(`${worker} ${taskId}`)

export async function claim(worker: string, taskId: string) {
  const res = await api('/v1/worker/tasks/claim', {
    method: 'POST',
    headers: { 'X-Worker-ID': worker },
    json: { task_id: taskId },
  })
  if (res.status === 200) {
    const { attempt } = (await res.clone().json()) as { attempt: number }
    attempts.set(`${worker} ${taskId}`, attempt)
  }
  return res
}
export const release = (worker: string, taskId: string, extra: Record<string, unknown> = {}) =>
  api('/v1/worker/tasks/release', {
    method: 'POST',
    headers: { 'X-Worker-ID': worker },
    json: {
      task_id: taskId,
      status: 'completed',
      result: 'done',
      attempt: attemptOf(worker, taskId) ?? 1,
      ...extra,
    },
  })
export const output = (worker: string, taskId: string, text: string, attempt?: number) =>
  api(`/v1/agent/tasks/${taskId}/output`, {
    method: 'POST',
    json: { worker_id: worker, output: text, attempt: attempt ?? attemptOf(worker, taskId) ?? 1 },
  })

/** What the reaper does to an expired lease (its alarm is not in this slice): back to pending. */
export async function expireLease(taskId: string) {
  const app = await connectAsApp()
  try {
    await asTenant(app, stack().tenantId, () =>
      app.query(
        `update tasks set status = 'submitted', worker_id = null, lease_expires_at = null where id = $1`,
        [taskId],
      ),
    )
  } finally {
    await app.end()
  }
}
