import type {
  AgentCard,
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk'
import {
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors'
import type { A2ARequestHandler } from '@a2a-js/sdk/server'
import { continueTask, startTask, TaskClosedError } from '../agents/execute'
import { publishEvents, subscribeEvents } from '../tasks/publish'
import type { Scope } from '../tasks/scope'
import { eventState, isInterrupted, isTerminal } from '../tasks/states'
import { applyChange, getTask, type TaskRow } from '../tasks/store'
import { buildAgentCard } from './card'
import { messageJson, textOf, toSdkTask, toStreamResponse } from './convert'
import { listTasksPage } from './list'

export interface A2AScope extends Scope {
  baseUrl: string
  /** Last-Event-ID of a reconnecting stream: replay events after it instead of a snapshot. */
  afterSeq?: number
  signal?: AbortSignal
}

/**
 * The A2A protocol over the platform's one task model: the SDK's JSON-RPC transports parse,
 * validate and serialise (v1.0 and v0.3); this class does the work against Postgres and the
 * TaskStream object.
 */
export class PlatformRequestHandler implements A2ARequestHandler {
  /** Seq of the event last yielded by a stream (undefined for a task snapshot): the SSE id. */
  lastYieldedSeq: number | undefined

  constructor(private readonly s: A2AScope) {}

  async getAgentCard(): Promise<AgentCard> {
    return buildAgentCard(this.s.baseUrl, this.s.config)
  }

  async getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    return buildAgentCard(this.s.baseUrl, this.s.config, { extended: true })
  }

  async sendMessage(params: SendMessageRequest): Promise<Message | Task> {
    const row = await this.send(params, params.configuration?.returnImmediately ?? false)
    return toSdkTask(row, historyLength(params.configuration?.historyLength))
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse> {
    const row = await this.send(params, true)
    this.lastYieldedSeq = undefined
    yield { payload: { $case: 'task', value: toSdkTask(row) } }
    yield* this.follow(row, row.lastSeq, (state) => isTerminal(state) || isInterrupted(state))
  }

  async getTask(params: GetTaskRequest): Promise<Task> {
    return toSdkTask(await this.load(params.id), historyLength(params.historyLength))
  }

  async listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    return listTasksPage(this.s, params)
  }

  async cancelTask(params: CancelTaskRequest): Promise<Task> {
    const canceled = await applyChange(this.s.db, this.s.tenantId, params.id, { state: 'canceled' })
    if (canceled) {
      await publishEvents(this.s.env, this.s.tenantId, params.id, canceled.events)
      return toSdkTask(canceled.task)
    }
    const row = await this.load(params.id)
    if (row.status === 'canceled') return toSdkTask(row) // cancel is idempotent
    throw new TaskNotCancelableError(`Task ${row.id} is ${row.status} and cannot be canceled`)
  }

  async *resubscribe(params: SubscribeToTaskRequest): AsyncGenerator<StreamResponse> {
    const row = await this.load(params.id)
    const after = this.s.afterSeq
    if (after === undefined) {
      if (isTerminal(row.status)) {
        throw new UnsupportedOperationError(
          `Task ${row.id} is ${row.status}: there is nothing to subscribe to`,
        )
      }
      this.lastYieldedSeq = undefined
      yield { payload: { $case: 'task', value: toSdkTask(row) } }
    }
    yield* this.follow(row, after ?? row.lastSeq, isTerminal)
  }

  async createTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    throw new PushNotificationNotSupportedError()
  }
  async getTaskPushNotificationConfig(
    _: GetTaskPushNotificationConfigRequest,
  ): Promise<TaskPushNotificationConfig> {
    throw new PushNotificationNotSupportedError()
  }
  async listTaskPushNotificationConfigs(
    _: ListTaskPushNotificationConfigsRequest,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    throw new PushNotificationNotSupportedError()
  }
  async deleteTaskPushNotificationConfig(
    _: DeleteTaskPushNotificationConfigRequest,
  ): Promise<void> {
    throw new PushNotificationNotSupportedError()
  }

  /** Events after `afterSeq`, as stream responses, until `ends` says the state closes it. */
  private async *follow(row: TaskRow, afterSeq: number, ends: (state: string) => boolean) {
    for await (const event of subscribeEvents(
      this.s.env,
      this.s.tenantId,
      row.id,
      afterSeq,
      this.s.signal,
    )) {
      const response = toStreamResponse(row, event)
      if (response) {
        this.lastYieldedSeq = event.seq
        yield response
      }
      const state = eventState(event)
      if (state && ends(state)) return
    }
  }

  private async load(id: string): Promise<TaskRow> {
    const row = id ? await getTask(this.s.db, this.s.tenantId, id) : undefined
    if (!row) throw new TaskNotFoundError(`Task ${id} not found`)
    return row
  }

  private async send(params: SendMessageRequest, background: boolean): Promise<TaskRow> {
    const message = params.message
    if (!message) throw new RequestMalformedError('params.message is required')
    if (!message.messageId) throw new RequestMalformedError('params.message.messageId is required')
    if (message.parts.length === 0)
      throw new RequestMalformedError('params.message.parts must not be empty')
    const skill = pickString(params.metadata, 'skill') ?? pickString(message.metadata, 'skill')
    const incoming = {
      json: messageJson(message),
      text: textOf(message),
      contextId: message.contextId || undefined,
      skill,
    }
    try {
      if (!message.taskId) return await startTask(this.s, incoming, background)
      const task = await this.load(message.taskId)
      if (message.contextId && message.contextId !== task.contextId) {
        throw new RequestMalformedError(
          `message.contextId does not match task ${task.id}'s context`,
        )
      }
      return await continueTask(this.s, task, incoming, background)
    } catch (err) {
      if (err instanceof TaskClosedError)
        throw new UnsupportedOperationError(`${err.message}: send a new message without taskId`)
      throw err
    }
  }
}

function historyLength(n: number | undefined): number | undefined {
  if (n !== undefined && (n < 0 || !Number.isInteger(n))) {
    throw new RequestMalformedError('historyLength must be a non-negative integer')
  }
  return n
}

function pickString(obj: unknown, key: string): string | undefined {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined
  return typeof v === 'string' && v ? v : undefined
}
