/** A task outlives the Worker that made it, and is the same row REST serves. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startWrangler } from '../scripts/stack/wrangler'
import { stack, stackVars, startTestWorker } from './helpers'

test('a task survives a restart of wrangler dev and is visible on /v1/agent/tasks', async () => {
  const started = await startTestWorker('restart-worker', stackVars())
  const { options, url } = started
  let worker = started.worker
  const headers = {
    'Content-Type': 'application/json',
    Authorization: `Bearer ${stack().devToken}`,
  }
  try {
    const sent = await fetch(`${url}/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: 'd1',
            role: 'user',
            parts: [{ kind: 'text', text: 'multiply 6 and 7' }],
          },
        },
      }),
    })
    const task = (await sent.json()).result
    assert.equal(task.status.state, 'completed')

    await worker.stop()
    worker = await startWrangler(options)

    const got = await fetch(`${url}/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tasks/get', params: { id: task.id } }),
    })
    const after = (await got.json()).result
    assert.deepEqual(after.status, task.status)
    assert.deepEqual(after.artifacts, task.artifacts)

    const rest = await (await fetch(`${url}/v1/agent/tasks/${task.id}`, { headers })).json()
    assert.equal(rest.status, 'completed')
    assert.equal(rest.result, '6 * 7 = 42')
    assert.equal(rest.workspace_id, 'global')
    const list = await (
      await fetch(`${url}/v1/agent/tasks?status=completed&limit=500`, { headers })
    ).json()
    assert.ok(list.some((t: { id: string }) => t.id === task.id))
    const bad = await fetch(`${url}/v1/agent/tasks?status=sleeping`, { headers })
    assert.equal(bad.status, 400)
  } finally {
    await worker.stop()
  }
})
