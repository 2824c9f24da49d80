import {
  type Message,
  type Part,
  SendMessageRequest,
  type StreamResponse,
  type Task,
  TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk'
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client'

export interface ClientOptions {
  server: string
  token?: string
}

/** The SDK's client (v1.0 JSON-RPC, from the server's agent card), carrying the bearer token. */
export async function a2aClient(opts: ClientOptions): Promise<Client> {
  const authed: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers)
    if (opts.token) headers.set('Authorization', `Bearer ${opts.token}`)
    return fetch(input, { ...init, headers })
  }
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl: authed })],
    }),
  )
  return factory.createFromUrl(opts.server.replace(/\/+$/, ''))
}

export function userMessage(text: string, contextId?: string, taskId?: string): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ text }],
      ...(contextId ? { contextId } : {}),
      ...(taskId ? { taskId } : {}),
    },
  })
}

export const partsText = (parts: Part[] = []) =>
  parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .filter(Boolean)
    .join('\n')

export const stateName = (s: TaskState | undefined) =>
  taskStateToJSON(s ?? TaskState.TASK_STATE_UNSPECIFIED)
    .replace('TASK_STATE_', '')
    .toLowerCase()

/** What a person reads as the answer: the status message, else the artifacts' text. */
export function answerOf(result: Task | Message): string {
  if ('role' in result && !('status' in result)) return partsText(result.parts)
  const task = result as Task
  const status = partsText(task.status?.message?.parts)
  if (status) return status
  return task.artifacts
    .map((a) => partsText(a.parts))
    .filter(Boolean)
    .join('\n')
}

export const isTask = (r: Task | Message): r is Task => 'status' in r

/** One line per stream event, for `codetether stream`. */
export function describeEvent(ev: StreamResponse): { kind: string; text: string } {
  const p = ev.payload
  switch (p?.$case) {
    case 'task':
      return { kind: 'task', text: `${p.value.id} ${stateName(p.value.status?.state)}` }
    case 'message':
      return { kind: 'message', text: partsText(p.value.parts) }
    case 'statusUpdate':
      return {
        kind: stateName(p.value.status?.state),
        text: partsText(p.value.status?.message?.parts),
      }
    case 'artifactUpdate':
      return { kind: 'artifact', text: partsText(p.value.artifact?.parts) }
    default:
      return { kind: 'event', text: '' }
  }
}
