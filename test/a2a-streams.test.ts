/** Streams that never lose an event: replay by Last-Event-ID, many subscribers, disconnects. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { openTask, readSse, rpc, type SseEvent, streamMessage, writesOf } from './a2a-helpers'
import { api, stack } from './helpers'

const V1 = { 'A2A-Version': '1.0' }
const streamHeaders = () => ({
  Accept: 'text/event-stream',
  Authorization: `Bearer ${stack().devToken}`,
})
type Result = {
  task?: unknown
  statusUpdate?: { status: { state: string } }
  artifactUpdate?: unknown
}
const resultOf = (e: SseEvent) => (e.data as { result: Result }).result
const isFinal = (e: SseEvent) => resultOf(e).statusUpdate?.status.state === 'TASK_STATE_COMPLETED'

function subscribe(taskId: string, lastEventId?: number, signal?: AbortSignal) {
  return api('/', {
    method: 'POST',
    signal,
    headers: {
      'Content-Type': 'application/json',
      ...V1,
      ...(lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) }),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'SubscribeToTask',
      params: { id: taskId },
    }),
  })
}

/**
 * Answers the open task: events 2 (the user's message), 3 working, 4 (the agent's message),
 * 5 artifact, 6 completed. Messages are history, not stream events.
 */
async function answer(taskId: string, contextId: string) {
  const { body } = await rpc(
    'SendMessage',
    {
      message: {
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        taskId,
        contextId,
        parts: [{ text: 'add 2 and 2' }],
      },
    },
    V1,
  )
  assert.equal(body.result.task.status.state, 'TASK_STATE_COMPLETED', JSON.stringify(body))
}

describe('task streams', () => {
  test('a subscriber that drops and comes back with Last-Event-ID gets every missed event once', async () => {
    const open = await openTask()
    const first = await subscribe(open.id)
    assert.match(first.headers.get('content-type') ?? '', /text\/event-stream/)
    const seen = await readSse(first, () => true) // the task snapshot, then hang up
    assert.ok(resultOf(seen[0] as SseEvent).task, 'first event is the task')
    assert.equal(seen[0]?.id, undefined, 'the snapshot is not a numbered event')

    await answer(open.id, open.contextId) // happens while nobody listens

    const resumed = await readSse(await subscribe(open.id, 1))
    assert.deepEqual(
      resumed.map((e) => e.id),
      ['3', '5', '6'],
    )
    assert.deepEqual(
      resumed.map((e) => Object.keys(resultOf(e))[0]),
      ['statusUpdate', 'artifactUpdate', 'statusUpdate'],
    )
    assert.ok(isFinal(resumed.at(-1) as SseEvent), 'the stream ends after the terminal event')

    const fromMiddle = await readSse(await subscribe(open.id, 5))
    assert.deepEqual(
      fromMiddle.map((e) => e.id),
      ['6'],
    )
  })

  test('concurrent subscribers each get the same events, exactly once, in order', async () => {
    const open = await openTask()
    const subscribers = await Promise.all([1, 2, 3, 4, 5].map(() => subscribe(open.id)))
    const reading = subscribers.map((res) => readSse(res, isFinal))
    await new Promise((r) => setTimeout(r, 200)) // let every subscription reach the stream
    await answer(open.id, open.contextId)
    const all = await Promise.all(reading)
    for (const events of all) {
      assert.deepEqual(
        events.map((e) => e.id),
        [undefined, '3', '5', '6'],
      )
    }
  })

  test('a client that goes away does not disturb the others', async () => {
    const open = await openTask()
    const quitter = new AbortController()
    const gone = await subscribe(open.id, undefined, quitter.signal)
    const stays = readSse(await subscribe(open.id), isFinal)
    await readSse(gone, () => true)
    quitter.abort()
    await answer(open.id, open.contextId)
    assert.deepEqual(
      (await stays).map((e) => e.id),
      [undefined, '3', '5', '6'],
    )
  })

  test('subscribing to a finished task is refused; a bad Last-Event-ID is refused', async () => {
    const done = await rpc(
      'SendMessage',
      { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'add 1 and 1' }] } },
      V1,
    )
    const res = await subscribe(done.body.result.task.id)
    assert.equal((await res.json()).error.code, -32004)
    const open = await openTask()
    const bad = await api('/', {
      method: 'POST',
      headers: { ...V1, 'Last-Event-ID': 'abc', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SubscribeToTask',
        params: { id: open.id },
      }),
    })
    assert.equal((await bad.json()).error.code, -32602)
  })
})

describe('a streamed message a built-in agent answers', () => {
  test('cancelled while it works, its stream ends canceled, never completed', async () => {
    // The conformance agent's scenario: working, 4 s, completed.
    const res = await streamMessage(stack().url, 'work a while', {
      messageId: `test-resubscribe-message-id-${crypto.randomUUID()}`,
      headers: streamHeaders(),
    })
    const states: string[] = []
    let taskId = ''
    let cancelled: Promise<unknown> | undefined
    const started = Date.now()
    await readSse(res, (e) => {
      const r = resultOf(e)
      if (r.task) taskId = (r.task as { id: string }).id
      const state = r.statusUpdate?.status.state
      if (state) states.push(state)
      if (state === 'TASK_STATE_WORKING' && !cancelled)
        cancelled = rpc('CancelTask', { id: taskId }, V1)
      return state === 'TASK_STATE_CANCELED' || state === 'TASK_STATE_COMPLETED'
    })
    await cancelled
    assert.equal(states.at(-1), 'TASK_STATE_CANCELED', states.join(' '))
    assert.ok(!states.includes('TASK_STATE_COMPLETED'))
    assert.ok(Date.now() - started < 4000, 'told of the cancel at once, not after the agent')
  })

  test('an agent that answers at once is stored in one write; its stream still shows each step', async () => {
    const res = await streamMessage(stack().url, 'Calculate 25 * 4', { headers: streamHeaders() })
    const events = await readSse(res)
    const first = resultOf(events[0] as SseEvent).task as {
      id: string
      status: { state: string }
      artifacts?: unknown[]
    }
    assert.equal(first.status.state, 'TASK_STATE_SUBMITTED', 'the task as it was submitted')
    assert.equal(first.artifacts?.length ?? 0, 0)
    const steps = events.slice(1).map((e) => {
      const r = resultOf(e)
      return r.statusUpdate ? r.statusUpdate.status.state : r.artifactUpdate ? 'artifact' : '?'
    })
    assert.deepEqual(steps, ['TASK_STATE_WORKING', 'artifact', 'TASK_STATE_COMPLETED'])
    const ids = events.slice(1).map((e) => Number(e.id))
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'event ids rise, so a reconnect resumes',
    )
    assert.equal(await writesOf(first.id), 1, 'the task and its answer in one transaction')
    const { body } = await rpc('GetTask', { id: first.id }, V1)
    assert.equal(body.result.status.state, 'TASK_STATE_COMPLETED')
  })
})
