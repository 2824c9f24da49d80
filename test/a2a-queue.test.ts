/** An A2A message that asks for a worker's work is queued; the worker's claim, output and
 *  release reach the A2A caller as status and artifact events. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { readSse, type SseEvent, streamMessage } from './a2a-helpers'
import { api, stack } from './helpers'

const uid = () => crypto.randomUUID().slice(0, 8)

async function worker() {
  const id = `w-${uid()}`
  await api('/v1/agent/workers/register', { method: 'POST', json: { worker_id: id, name: id } })
  const post = (path: string, json: unknown) =>
    api(path, { method: 'POST', headers: { 'X-Worker-ID': id }, json })
  // Every write after a claim carries its attempt; these tasks are claimed once.
  return {
    id,
    claim: (taskId: string) => post('/v1/worker/tasks/claim', { task_id: taskId }),
    output: (taskId: string, output: string) =>
      post(`/v1/agent/tasks/${taskId}/output`, { worker_id: id, output, attempt: 1 }),
    release: (taskId: string, result: string) =>
      post('/v1/worker/tasks/release', {
        task_id: taskId,
        status: 'completed',
        result,
        attempt: 1,
      }),
  }
}

async function waitUntil(ok: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

describe('A2A work for workers', () => {
  test('a streamed request becomes a queued task; claim, output and release stream back', async () => {
    const w = await worker()
    const res = await streamMessage(stack().url, 'fix the flaky test', {
      metadata: { agent_type: 'build' },
      messageId: uid(),
      headers: { Authorization: `Bearer ${stack().devToken}` },
    })
    const got: SseEvent[] = []
    const reading = readSse(res, (e) => {
      got.push(e)
      return false
    })
    await waitUntil(() => got.length > 0)
    const task = (
      (got[0] as SseEvent).data as { result: { task: { id: string; status: { state: string } } } }
    ).result.task
    assert.equal(task.status.state, 'TASK_STATE_SUBMITTED')
    const rest = await (await api(`/v1/agent/tasks/${task.id}`)).json()
    assert.equal(rest.status, 'pending')
    assert.equal(rest.agent_type, 'build')
    assert.equal((await w.claim(task.id)).status, 200)
    assert.equal((await w.output(task.id, 'running tests')).status, 200)
    assert.equal((await w.release(task.id, 'all green')).status, 200)
    await reading
    const kinds = got.map((e) => {
      const r = (e.data as { result: Record<string, { status?: { state: string } }> }).result
      const key = Object.keys(r)[0] as string
      return key === 'statusUpdate' ? `status:${r[key]?.status?.state}` : key
    })
    assert.deepEqual(kinds, [
      'task',
      'status:TASK_STATE_WORKING',
      'artifactUpdate',
      'status:TASK_STATE_COMPLETED',
    ])
    const final = got.at(-1)?.data as {
      result: { statusUpdate: { status: { message: { parts: { text: string }[] } } } }
    }
    assert.equal(final.result.statusUpdate.status.message.parts[0]?.text, 'all green')
  })

  test('a blocking v0.3 message/send for a workspace returns when the worker is done', async () => {
    const w = await worker()
    const ws = await (
      await api('/v1/agent/workspaces', {
        method: 'POST',
        json: { name: 'r', path: `/srv/${uid()}`, worker_id: w.id },
      })
    ).json()
    const sending = api('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: uid(),
            role: 'user',
            parts: [{ kind: 'text', text: 'add a README' }],
            metadata: { workspace_id: ws.workspace.id },
          },
        },
      }),
    })
    let taskId: string | undefined
    for (let i = 0; i < 50 && !taskId; i++) {
      const pending = await (
        await api('/v1/agent/tasks?status=pending', { headers: { 'X-Worker-ID': w.id } })
      ).json()
      taskId = pending.find((t: { workspace_id: string }) => t.workspace_id === ws.workspace.id)?.id
      if (!taskId) await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(taskId, 'the worker found the queued task by polling')
    await w.claim(taskId)
    await w.release(taskId, 'README added')
    const body = await (await sending).json()
    assert.equal(body.result.id, taskId)
    assert.equal(body.result.status.state, 'completed')
    assert.equal(body.result.status.message.parts[0].text, 'README added')
  })
})
