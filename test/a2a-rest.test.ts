/** The HTTP+JSON binding under /a2a/rest with the spec's status mapping. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { openTask, readSse } from './a2a-helpers'
import { api } from './helpers'

const send = (text: string) => ({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] },
})
const rest = (path: string, init: Parameters<typeof api>[1] = {}) => api(`/a2a/rest${path}`, init)

describe('A2A HTTP+JSON binding', () => {
  test('message:send, tasks/{id}, tasks list, and errors as HTTP statuses', async () => {
    const res = await rest('/message:send', { method: 'POST', json: send('add 40 and 2') })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/json', 'what */* accepts')
    const { task } = await res.json()
    assert.equal(task.status.state, 'TASK_STATE_COMPLETED')
    const got = await (await rest(`/tasks/${task.id}?historyLength=1`)).json()
    assert.equal(got.history.length, 1)
    const list = await (await rest(`/tasks?contextId=${task.contextId}&pageSize=5`)).json()
    assert.deepEqual(
      list.tasks.map((t: { id: string }) => t.id),
      [task.id],
    )

    const missing = await rest('/tasks/no-such-task')
    assert.equal(missing.status, 404)
    assert.equal((await missing.json()).error.status, 'NOT_FOUND')
    const cancelDone = await rest(`/tasks/${task.id}:cancel`, { method: 'POST' })
    assert.equal(cancelDone.status, 400)
    const bad = await rest('/message:send', {
      method: 'POST',
      json: { message: { role: 'ROLE_USER', parts: [] } },
    })
    assert.equal(bad.status, 400)
  })

  test('answers in the media type the client prefers; refuses other versions and body types', async () => {
    const asked = (accept: string) =>
      rest('/message:send', {
        method: 'POST',
        json: send('add 1 and 2'),
        headers: { Accept: accept },
      })
    const preferred = await asked('application/a2a+json, application/json')
    assert.equal(preferred.headers.get('content-type'), 'application/a2a+json')
    const plain = await asked('application/json;q=1, application/a2a+json;q=0.5')
    assert.equal(plain.headers.get('content-type'), 'application/json')

    const version = await rest('/tasks', { headers: { 'A2A-Version': '0.3' } })
    assert.equal(version.status, 400)
    assert.equal(version.headers.get('content-type'), 'application/json')
    assert.equal((await version.json()).error.details[0].reason, 'VERSION_NOT_SUPPORTED')

    const text = await rest('/message:send', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(send('add 1 and 2')),
    })
    assert.equal(text.status, 415)
    assert.equal((await text.json()).error.details[0].reason, 'CONTENT_TYPE_NOT_SUPPORTED')
  })

  test('message:stream and tasks/{id}:subscribe stream StreamResponses', async () => {
    const streamed = await readSse(
      await rest('/message:stream', { method: 'POST', json: send('square root of 81') }),
    )
    assert.deepEqual(
      streamed.map((e) => Object.keys(e.data as object)[0]),
      ['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate'],
    )
    const open = await openTask()
    const sub = await readSse(await rest(`/tasks/${open.id}:subscribe`), () => true)
    assert.equal(Object.keys(sub[0]?.data as object)[0], 'task')
    const canceled = await rest(`/tasks/${open.id}:cancel`, { method: 'POST' })
    assert.equal((await canceled.json()).status.state, 'TASK_STATE_CANCELED')
  })

  test('push configs: 201 on create, 204 on delete', async () => {
    const open = await openTask()
    const created = await rest(`/tasks/${open.id}/pushNotificationConfigs`, {
      method: 'POST',
      json: { url: 'https://hooks.example.com/x', token: 't' },
    })
    assert.equal(created.status, 201)
    const cfg = await created.json()
    const list = await (await rest(`/tasks/${open.id}/pushNotificationConfigs`)).json()
    assert.equal(list.configs.length, 1)
    assert.equal(
      (await rest(`/tasks/${open.id}/pushNotificationConfigs/${cfg.id}`, { method: 'DELETE' }))
        .status,
      204,
    )
  })
})
