/**
 * The conformance agent: what the A2A conformance suite (a2a-tck) asks of a server for messages
 * whose messageId starts with one of its prefixes (../shared/reference/a2a-conformance.md). It
 * is chosen by that prefix alone, never by the text, so every other message still reaches the
 * built-in agents. It only acts out scenarios: errors, versions, history and capabilities are
 * the protocol layer's, as for any agent.
 */
import type { TaskChange } from '../domain/task-model/store'
import { agentMessage } from './message'

/** One step of a scenario: a change to the task, or a pause before the next one. */
export type ConformanceStep = { change: TaskChange } | { waitMs: number }

interface Ids {
  taskId: string
  contextId: string
}

/** How long the suite waits for a stream event, doubled: resubscription happens meanwhile. */
const RESUBSCRIBE_WAIT_MS = 4_000

const FILE = { filename: 'output.txt', mediaType: 'text/plain' }
const text = (t: string) => ({ text: t })
const fileBytes = { raw: btoa('TCK file content'), ...FILE }
const fileUrl = { url: 'https://example.com/output.txt', ...FILE }

const working: ConformanceStep = { change: { state: 'working' } }

function artifact(parts: Record<string, unknown>[]): ConformanceStep {
  return {
    change: { artifacts: [{ artifactId: crypto.randomUUID(), name: 'tck-artifact', parts }] },
  }
}

function finish(ids: Ids, state: 'completed' | 'input-required' | 'rejected', says?: string) {
  if (says === undefined) return { change: { state } }
  const message = agentMessage(says, undefined, ids.taskId, ids.contextId)
  const outcome = state === 'rejected' ? { error: says } : { result: says }
  return { change: { state, statusMessage: message, messages: [message], ...outcome } }
}

/** Two pieces of one artifact: the first opens it, the second is appended and closes it. */
function chunked(first: string, last: string): ConformanceStep[] {
  const artifactId = crypto.randomUUID()
  const opened = { artifactId, name: 'tck-chunked', parts: [text(first)] }
  const whole = { ...opened, parts: [text(first), text(last)] }
  return [
    {
      change: {
        artifactChunk: { artifact: opened, append: false, lastChunk: false, whole: opened },
      },
    },
    {
      change: {
        artifactChunk: {
          artifact: { artifactId, parts: [text(last)] },
          append: true,
          lastChunk: true,
          whole,
        },
      },
    },
  ]
}

const streamed = (ids: Ids, parts: Record<string, unknown>[]) => [
  working,
  artifact(parts),
  finish(ids, 'completed'),
]

type Scenario = (ids: Ids) => ConformanceStep[]

const scenarios: Record<string, Scenario> = {
  'tck-complete-task': (ids) => [finish(ids, 'completed', 'Hello from TCK')],
  'tck-artifact-text': (ids) => [
    artifact([text('Generated text content')]),
    finish(ids, 'completed'),
  ],
  'tck-artifact-file': (ids) => [artifact([fileBytes]), finish(ids, 'completed')],
  'tck-artifact-file-url': (ids) => [artifact([fileUrl]), finish(ids, 'completed')],
  'tck-artifact-data': (ids) => [
    artifact([{ data: { key: 'value', count: 42 }, mediaType: 'application/json' }]),
    finish(ids, 'completed'),
  ],
  'tck-input-required': (ids) => [finish(ids, 'input-required', 'TCK needs more input')],
  'tck-reject-task': (ids) => [finish(ids, 'rejected', 'rejected')],
  'tck-stream-001': (ids) => streamed(ids, [text('Stream hello from TCK')]),
  'tck-stream-002': (ids) => [finish(ids, 'completed')],
  'tck-stream-003': (ids) => streamed(ids, [text('Stream task lifecycle')]),
  'tck-stream-ordering-001': (ids) => streamed(ids, [text('Ordered output')]),
  'tck-stream-artifact-text': (ids) => streamed(ids, [text('Streamed text content')]),
  'tck-stream-artifact-file': (ids) => streamed(ids, [fileBytes]),
  'tck-stream-artifact-chunked': (ids) => [
    working,
    ...chunked('chunk-1 ', 'chunk-2'),
    finish(ids, 'completed'),
  ],
  'test-resubscribe-message-id': (ids) => [
    working,
    { waitMs: RESUBSCRIBE_WAIT_MS },
    finish(ids, 'completed'),
  ],
}

/** Longest first: `tck-artifact-file-url` also starts with `tck-artifact-file`. */
const BY_PREFIX = Object.entries(scenarios).sort(([a], [b]) => b.length - a.length)

export const CONFORMANCE_AGENT = 'a2a-conformance'

export interface ConformanceScenario {
  agent: typeof CONFORMANCE_AGENT
  steps: ConformanceStep[]
}

/** The task scenario a messageId asks for, or undefined when it names none. */
export function conformanceScenario(messageId: unknown, ids: Ids): ConformanceScenario | undefined {
  if (typeof messageId !== 'string') return undefined
  const found = BY_PREFIX.find(([prefix]) => messageId.startsWith(prefix))
  return found && { agent: CONFORMANCE_AGENT, steps: found[1](ids) }
}

/** The text of the scenario that answers with a Message and no task (the suite's DM-MSG). */
export function conformanceMessage(messageId: unknown): string | undefined {
  return typeof messageId === 'string' && messageId.startsWith('tck-message-response')
    ? 'Direct message response'
    : undefined
}
