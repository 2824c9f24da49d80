/** Malformed and wrong requests get the right JSON-RPC error, never an HTTP 500. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { openTask } from './a2a-helpers'
import { api } from './helpers'

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await api('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  })
  assert.notEqual(res.status, 500)
  return { status: res.status, body: await res.json() }
}
const call = (method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
const msg = (text: string, extra = {}) => ({
  message: {
    kind: 'message',
    messageId: 'm1',
    role: 'user',
    parts: [{ kind: 'text', text }],
    ...extra,
  },
})

const table: [string, string, Record<string, string>, number, RegExp?][] = [
  ['bad JSON', '{"jsonrpc": "2.0", "id": 1,', {}, -32700],
  [
    'a body declared as text, though JSON',
    call('SendMessage', msg('hi')),
    { 'Content-Type': 'text/plain', 'A2A-Version': '1.0' },
    -32005,
    /Content-Type text\/plain/,
  ],
  ['a JSON array (batch)', '[]', {}, -32600],
  ['a JSON string', '"hello"', {}, -32600],
  ['no jsonrpc member', JSON.stringify({ id: 1, method: 'tasks/get' }), {}, -32600],
  ['method is not a string', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 5 }), {}, -32600],
  ['id is an object', JSON.stringify({ jsonrpc: '2.0', id: {}, method: 'tasks/get' }), {}, -32600],
  ['unknown v0.3 method', call('foo/bar', {}), {}, -32601],
  ['unknown v1.0 method', call('Foo', {}), { 'A2A-Version': '1.0' }, -32601],
  ['tasks/list does not exist in v0.3', call('tasks/list', {}), {}, -32601],
  ['message/send without params', call('message/send'), {}, -32602, /params\.message/],
  [
    'parts is not an array',
    call('message/send', { message: { messageId: 'm', role: 'user', parts: 'hi' } }),
    {},
    -32602,
    /params\.message\.parts/,
  ],
  [
    'empty parts',
    call('message/send', { message: { messageId: 'm', role: 'user', parts: [] } }),
    {},
    -32602,
    /parts/,
  ],
  [
    'unknown role',
    call('SendMessage', { message: { messageId: 'm', role: 'ROBOT', parts: [{ text: 'x' }] } }),
    { 'A2A-Version': '1.0' },
    -32602,
    /role/,
  ],
  [
    'a part with two contents',
    call('SendMessage', {
      message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'x', url: 'y' }] },
    }),
    { 'A2A-Version': '1.0' },
    -32602,
    /exactly one/,
  ],
  ['tasks/get without id', call('tasks/get', {}), {}, -32602, /params\.id/],
  [
    'historyLength of the wrong type',
    call('tasks/get', { id: 'x', historyLength: 'all' }),
    {},
    -32602,
    /historyLength/,
  ],
  ['unknown task', call('tasks/get', { id: 'no-such-task' }), {}, -32001],
  ['unknown task, v1.0', call('GetTask', { id: 'no-such-task' }), { 'A2A-Version': '1.0' }, -32001],
  ['cancel an unknown task', call('tasks/cancel', { id: 'no-such-task' }), {}, -32001],
  [
    'a message naming an unknown task',
    call('message/send', msg('hi', { taskId: 'no-such-task' })),
    {},
    -32001,
  ],
  ['unsupported version', call('tasks/get', { id: 'x' }), { 'A2A-Version': '2.0' }, -32009],
  ...[
    ['not base64 JSON', 'nope'],
    ['no array', btoa(JSON.stringify({ at: '1', id: 'x' }))],
    ['a time that is no time', btoa(JSON.stringify(['yesterday', 'x']))],
    ['a time before the epoch', btoa(JSON.stringify(['1969-12-31T23:59:59Z', 'x']))],
    ['microseconds past the year 2286', btoa(JSON.stringify(['12345678901234567', 'x']))],
    ['an id that is no string', btoa(JSON.stringify(['1767225600123000', 5]))],
    ['an id with NUL', btoa(JSON.stringify(['1767225600123000', 'a\u0000b']))],
  ].map(
    ([what, pageToken]) =>
      [
        `ListTasks with a forged pageToken: ${what}`,
        call('ListTasks', { pageToken }),
        { 'A2A-Version': '1.0' },
        -32602,
        /pageToken/,
      ] as (typeof table)[number],
  ),
  [
    'push configs of an unknown task',
    call('tasks/pushNotificationConfig/list', { id: 'x' }),
    {},
    -32001,
  ],
]

describe('JSON-RPC errors', () => {
  for (const [name, body, headers, code, message] of table) {
    test(name, async () => {
      const res = await post(body, headers)
      assert.equal(res.status, 200)
      assert.equal(res.body.jsonrpc, '2.0')
      assert.equal(res.body.error?.code, code, JSON.stringify(res.body))
      if (message) assert.match(res.body.error.message, message)
      assert.ok(!JSON.stringify(res.body).includes('    at '), 'stack trace in the reply')
    })
  }

  test('a message to a finished task is -32004', async () => {
    const done = await post(call('message/send', msg('add 1 and 1')))
    const res = await post(
      call('message/send', msg('add 2 and 2', { taskId: done.body.result.id })),
    )
    assert.equal(res.body.error.code, -32004)
  })

  test("a contextId that does not match the task's is -32602", async () => {
    const open = await openTask()
    const res = await post(
      call('message/send', msg('x', { taskId: open.id, contextId: 'another' })),
    )
    assert.equal(res.body.error.code, -32602)
  })

  test('an oversized body is a 413 before JSON-RPC', async () => {
    const res = await api('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `"${'x'.repeat(1_100_000)}"`,
    })
    assert.equal(res.status, 413)
  })

  test('a wrong token is a 401 before JSON-RPC', async () => {
    const res = await api('/', {
      method: 'POST',
      token: 'wrong',
      body: call('tasks/get', { id: 'x' }),
    })
    assert.equal(res.status, 401)
  })
})
