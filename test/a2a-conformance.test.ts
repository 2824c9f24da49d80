/**
 * What the A2A conformance suite asks of a server, through the official client on both
 * bindings: the conformance agent's scenarios (by messageId prefix), and the same answer from
 * JSON-RPC and HTTP+JSON for every method (the suite's BIND-EQUIV family).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Message, type Part, type StreamResponse, type Task, TaskState } from '@a2a-js/sdk'
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client'
import { partsText, statusText, userMessage } from './a2a-helpers'
import { stack } from './helpers'

const bindings = {
  jsonrpc: new JsonRpcTransportFactory(),
  'http+json': new RestTransportFactory(),
}

async function clientOver(binding: keyof typeof bindings): Promise<Client> {
  const options = ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [bindings[binding]],
  })
  return new ClientFactory(options).createFromUrl(stack().url)
}

const tck = (scenario: string, text = 'TCK', extra: Partial<Message> = {}) =>
  userMessage(text, { messageId: `tck-${scenario}-${crypto.randomUUID()}`, ...extra })

const isTask = (r: Message | Task): r is Task => 'status' in r
const state = (t: Task) => t.status?.state

async function send(client: Client, message: Message): Promise<Task> {
  const result = await client.sendMessage({ message } as never)
  assert.ok(isTask(result), 'a task')
  return result
}

async function streamed(events: AsyncGenerator<StreamResponse>) {
  const all: StreamResponse[] = []
  for await (const e of events) all.push(e)
  return all
}

const cases = (events: StreamResponse[]) => events.map((e) => e.payload?.$case)

for (const binding of Object.keys(bindings) as (keyof typeof bindings)[]) {
  describe(`the conformance agent over ${binding}`, () => {
    test('completes, adds text, file, URL and data artifacts, answers with a Message, rejects', async () => {
      const client = await clientOver(binding)
      const done = await send(client, tck('complete-task'))
      assert.equal(state(done), TaskState.TASK_STATE_COMPLETED)
      assert.equal(statusText(done), 'Hello from TCK')

      const text = await send(client, tck('artifact-text'))
      assert.equal(partsText(text.artifacts[0]?.parts ?? []), 'Generated text content')

      const part = async (scenario: string): Promise<Part | undefined> =>
        (await send(client, tck(scenario))).artifacts[0]?.parts[0]
      const file = await part('artifact-file')
      assert.equal(file?.content?.$case, 'raw')
      assert.equal(file?.filename, 'output.txt')
      assert.equal(file?.mediaType, 'text/plain')
      const url = await part('artifact-file-url') // the longer prefix wins over artifact-file
      assert.deepEqual(url?.content, { $case: 'url', value: 'https://example.com/output.txt' })
      const data = await part('artifact-data')
      assert.equal(data?.content?.$case, 'data')
      assert.deepEqual(data?.content?.$case === 'data' ? data.content.value : undefined, {
        key: 'value',
        count: 42,
      })

      const direct = await client.sendMessage({ message: tck('message-response') } as never)
      assert.ok(!isTask(direct), 'a Message, not a task')
      assert.equal(partsText(direct.parts), 'Direct message response')

      const rejected = await send(client, tck('reject-task'))
      assert.equal(state(rejected), TaskState.TASK_STATE_REJECTED)
      assert.equal(statusText(rejected), 'rejected')
    })

    test('input-required waits for the next message, which its own prefix answers', async () => {
      const client = await clientOver(binding)
      const open = await send(client, tck('input-required'))
      assert.equal(state(open), TaskState.TASK_STATE_INPUT_REQUIRED)
      const more = await send(client, tck('input-required', 'more', { taskId: open.id }))
      assert.equal(state(more), TaskState.TASK_STATE_INPUT_REQUIRED)
      const done = await send(client, tck('complete-task', 'done', { taskId: open.id }))
      assert.equal(state(done), TaskState.TASK_STATE_COMPLETED)
      const got = await client.getTask({ id: open.id } as never)
      const said = got.history.filter((m) => m.role === 1).map((m) => partsText(m.parts))
      assert.deepEqual(said, ['TCK', 'more', 'done'])
    })

    test('streams working, an artifact in two chunks, completed; the task keeps the whole', async () => {
      const client = await clientOver(binding)
      const events = await streamed(
        client.sendMessageStream({ message: tck('stream-artifact-chunked') } as never),
      )
      assert.deepEqual(cases(events), [
        'task',
        'statusUpdate',
        'artifactUpdate',
        'artifactUpdate',
        'statusUpdate',
      ])
      const chunks = events.flatMap((e) =>
        e.payload?.$case === 'artifactUpdate' ? [e.payload.value] : [],
      )
      assert.deepEqual(
        chunks.map((c) => [partsText(c.artifact?.parts ?? []), c.append, c.lastChunk]),
        [
          ['chunk-1 ', false, false],
          ['chunk-2', true, true],
        ],
      )
      const taskId = events[0]?.payload?.$case === 'task' ? events[0].payload.value.id : ''
      const task = await client.getTask({ id: taskId } as never)
      assert.equal(partsText(task.artifacts[0]?.parts ?? []), 'chunk-1  chunk-2')
    })
  })
}

describe('ordinary messages', () => {
  test('a messageId without a scenario prefix still reaches the built-in agents', async () => {
    const client = await clientOver('jsonrpc')
    for (const messageId of [`tck-unknown-${crypto.randomUUID()}`, crypto.randomUUID()]) {
      const task = await send(client, userMessage('add 40 and 2', { messageId }))
      assert.match(statusText(task), /42/)
    }
  })
})

describe('a long-running scenario', () => {
  test('a resubscriber finds it working and follows it to completed', async () => {
    const client = await clientOver('jsonrpc')
    const message = userMessage('wait', {
      messageId: `test-resubscribe-message-id-${crypto.randomUUID()}`,
    })
    const stream = client.sendMessageStream({ message } as never)
    const first = (await stream.next()).value as StreamResponse
    assert.equal(first.payload?.$case, 'task')
    const id = first.payload?.$case === 'task' ? first.payload.value.id : ''
    await stream.return(undefined)
    const resubscribed = await streamed(client.resubscribeTask({ id } as never))
    const [now, last] = [resubscribed[0]?.payload, resubscribed.at(-1)?.payload]
    assert.equal(
      now?.$case === 'task' ? now.value.status?.state : undefined,
      TaskState.TASK_STATE_WORKING,
    )
    assert.equal(
      last?.$case === 'statusUpdate' ? last.value.status?.state : undefined,
      TaskState.TASK_STATE_COMPLETED,
    )
  })
})

/** A result with what differs between any two calls (ids, times) blanked, or its error's name. */
async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  const blank = new Set(['id', 'taskId', 'contextId', 'messageId', 'artifactId', 'timestamp'])
  blank.add('signature') // ES256 signs differently each time
  try {
    const result = await run()
    return JSON.parse(JSON.stringify(result ?? null, (k, v) => (blank.has(k) ? '…' : v)))
  } catch (err) {
    return { error: (err as Error).constructor.name }
  }
}

type Operation = (client: Client) => Promise<unknown>

const firstEvent = async (events: AsyncGenerator<StreamResponse>) => {
  const first = await events.next()
  await events.return(undefined)
  return first.value
}

/** Every method, as the suite's BIND-EQUIV family calls it, on a task made for the call. */
const operations: Record<string, Operation> = {
  SendMessage: (c) => c.sendMessage({ message: tck('complete-task') } as never),
  'SendMessage answered by a Message': (c) =>
    c.sendMessage({ message: tck('message-response') } as never),
  SendStreamingMessage: (c) =>
    streamed(c.sendMessageStream({ message: tck('stream-001') } as never)),
  GetTask: async (c) => {
    const { id } = await send(c, tck('input-required'))
    await send(c, tck('complete-task', 'more', { taskId: id }))
    return c.getTask({ id, historyLength: 1 } as never)
  },
  'GetTask of an unknown task': (c) => c.getTask({ id: crypto.randomUUID() } as never),
  ListTasks: async (c) => {
    const { contextId } = await send(c, tck('artifact-data'))
    return c.listTasks({ contextId, includeArtifacts: true } as never)
  },
  CancelTask: async (c) => c.cancelTask({ id: (await send(c, tck('input-required'))).id } as never),
  'CancelTask of a finished task': async (c) =>
    c.cancelTask({ id: (await send(c, tck('complete-task'))).id } as never),
  SubscribeToTask: async (c) => {
    const { id } = await send(c, tck('input-required'))
    return firstEvent(c.resubscribeTask({ id } as never))
  },
  'SubscribeToTask of a finished task': async (c) => {
    const { id } = await send(c, tck('complete-task'))
    return firstEvent(c.resubscribeTask({ id } as never))
  },
  'push configs: create, get, list, delete': async (c) => {
    const { id: taskId } = await send(c, tck('input-required'))
    const config = { taskId, id: 'hook', url: 'https://hooks.example.com/a2a', token: 't' }
    const created = await c.createTaskPushNotificationConfig(config as never)
    const got = await c.getTaskPushNotificationConfig({ taskId, id: 'hook' } as never)
    const listed = await c.listTaskPushNotificationConfig({ taskId } as never)
    await c.deleteTaskPushNotificationConfig({ taskId, id: 'hook' } as never)
    const gone = await outcome(() =>
      c.getTaskPushNotificationConfig({ taskId, id: 'hook' } as never),
    )
    return { created, got, listed, gone }
  },
  GetExtendedAgentCard: (c) => c.getAgentCard(),
}

describe('both bindings answer alike (BIND-EQUIV)', () => {
  for (const [name, operation] of Object.entries(operations)) {
    test(name, async () => {
      const [viaRpc, viaRest] = await Promise.all([clientOver('jsonrpc'), clientOver('http+json')])
      const rpcResult = await outcome(() => operation(viaRpc))
      assert.deepEqual(await outcome(() => operation(viaRest)), rpcResult)
      assert.notDeepEqual(rpcResult, { error: 'Error' }, 'an A2A answer, not a transport failure')
    })
  }
})
