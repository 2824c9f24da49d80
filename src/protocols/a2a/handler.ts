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
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors'
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server'
import { continueTask, type IncomingMessage, TaskClosedError } from '../../agents/execute'
import { LocalFeed, localFeedOf } from '../../domain/live/local-feed'
import { subscribeEvents } from '../../domain/live/publish'
import { deletePushConfig, getPushConfig, listPushConfigs } from '../../domain/push/configs'
import { enqueuePush } from '../../domain/push/deliver'
import { cancelTask } from '../../domain/queue/cancel'
import type { Scope } from '../../domain/scope'
import {
  messageJson,
  textOf,
  toSdkMessage,
  toSdkTask,
  toStreamResponse,
} from '../../domain/task-model/a2a-wire'
import { readEvents } from '../../domain/task-model/events'
import { getTask } from '../../domain/task-model/queries'
import { readTask } from '../../domain/task-model/read-cache'
import { eventState, isSettled, isTerminal } from '../../domain/task-model/states'
import type { TaskRow } from '../../domain/task-model/store'
import { type MessageOutcome, sendMessage } from '../../domain/tasks/create'
import { queueRouting, routingMetadata } from '../../domain/tasks/routing'
import { ApiError } from '../../lib/errors'
import { buildAgentCard } from './card'
import { fleetSkills } from './fleet'
import { listTasksPage } from './list'
import { pushView, requirePush, savePush, storedId } from './push-configs'
import { signCard } from './signing'

/** The longest a blocking send waits for a worker to finish. */
const BLOCKING_WAIT_MS = 5 * 60_000

export interface A2AScope extends Scope {
  baseUrl: string
  /** The A2A version of the request: push payloads to webhooks it creates use its shapes. */
  version: '0.3' | '1.0'
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
  /**
   * A refusal of ours (over the spending limit, a bad routing field) that the SDK can only
   * report as an internal error: the JSON-RPC layer answers it as what it is.
   */
  refusal: ApiError | undefined

  constructor(private readonly s: A2AScope) {}

  async getAgentCard(): Promise<AgentCard> {
    return buildAgentCard(this.s.baseUrl, this.s.config)
  }

  async getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    // The tenant's worker fleet is known only to an authenticated caller.
    const fleet = await fleetSkills(this.s)
    const card = buildAgentCard(this.s.baseUrl, this.s.config, { extended: true, fleet })
    return signCard(card, this.s.config, this.s.baseUrl)
  }

  async sendMessage(params: SendMessageRequest): Promise<Message | Task> {
    const background = params.configuration?.returnImmediately ?? false
    const outcome = await this.send(params, background)
    if ('message' in outcome) return toSdkMessage(outcome.message)
    let row = outcome.task
    // Blocking: a queued task is answered by a worker; wait until it ends or pauses.
    // A worker may take long: past BLOCKING_WAIT_MS the task is returned as it is then (it
    // goes on; the caller can poll or subscribe).
    if (!background && !isSettled(row.status)) {
      const giveUp = AbortSignal.timeout(BLOCKING_WAIT_MS)
      for await (const _ of this.follow(row, row.lastSeq, isSettled, giveUp)) {
        // the events themselves are for streams; here only the end matters
      }
      row = (await getTask(this.s, row.id)) ?? row
    }
    return toSdkTask(row, historyLength(params.configuration?.historyLength))
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse> {
    const outcome = await this.send(params, true)
    this.lastYieldedSeq = undefined
    if ('message' in outcome) {
      yield { payload: { $case: 'message', value: toSdkMessage(outcome.message) } }
      return
    }
    // An agent that answered before its task was stored: the task as submitted, then its
    // events; one answering in this isolate now: its events come here directly.
    const early = outcome.answeredAtOnce
    const row = early?.submitted ?? outcome.task
    const feed = early ? LocalFeed.of(early.events) : localFeedOf(this.s.tenantId, row.id)
    yield { payload: { $case: 'task', value: toSdkTask(row) } }
    yield* this.follow(row, row.lastSeq, isSettled, this.s.signal, feed)
  }

  async getTask(params: GetTaskRequest): Promise<Task> {
    const row = params.id ? await readTask(this.s, params.id) : undefined
    if (!row) throw new TaskNotFoundError(`Task ${params.id} not found`)
    return toSdkTask(row, historyLength(params.historyLength))
  }

  async listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    return listTasksPage(this.s, params)
  }

  async cancelTask(params: CancelTaskRequest): Promise<Task> {
    try {
      return toSdkTask(await cancelTask(this.s, params.id))
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new TaskNotFoundError(err.message)
      if (err instanceof ApiError && err.status === 409)
        throw new TaskNotCancelableError(err.message)
      throw err
    }
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

  async createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    context?: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    await this.load(params.taskId)
    const row = await savePush(this.s, params, context?.requestedVersion === '1.0' ? '1.0' : '0.3')
    return pushView(row)
  }

  async getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
  ): Promise<TaskPushNotificationConfig> {
    requirePush(this.s)
    await this.load(params.taskId)
    const row = await getPushConfig(this.s, params.taskId, storedId(params.id))
    if (!row) throw new TaskNotFoundError(`Push notification config ${params.id} not found`)
    return pushView(row)
  }

  async listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    requirePush(this.s)
    await this.load(params.taskId)
    return {
      configs: (await listPushConfigs(this.s, params.taskId)).map(pushView),
      nextPageToken: '',
    }
  }

  async deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
  ): Promise<void> {
    requirePush(this.s)
    await this.load(params.taskId)
    await deletePushConfig(this.s, params.taskId, params.id)
  }

  /** Events after `afterSeq`, as stream responses, until `ends` says the state closes it. */
  private async *follow(
    row: TaskRow,
    afterSeq: number,
    ends: (state: string) => boolean,
    signal = this.s.signal,
    feed?: LocalFeed,
  ) {
    let seen = afterSeq
    // The local feed first, if any; what it ended without (a change made elsewhere), from
    // the TaskStream.
    const sources = [
      ...(feed ? [() => feed.read(seen, signal)] : []),
      () => subscribeEvents(this.s.env, this.s.tenantId, row.id, seen, signal),
    ]
    for (const source of sources) {
      for await (const event of source()) {
        seen = event.seq
        const response = toStreamResponse(row, event)
        if (response) {
          this.lastYieldedSeq = event.seq
          yield response
        }
        const state = eventState(event)
        if (state && ends(state)) return
      }
      if (signal?.aborted) return
    }
  }

  private async load(id: string): Promise<TaskRow> {
    const row = id ? await getTask(this.s, id) : undefined
    if (!row) throw new TaskNotFoundError(`Task ${id} not found`)
    return row
  }

  private requestMetadata: Record<string, unknown> | undefined

  private async send(params: SendMessageRequest, background: boolean): Promise<MessageOutcome> {
    this.requestMetadata = params.metadata
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
    const push = params.configuration?.taskPushNotificationConfig
    if (push) requirePush(this.s)
    try {
      const outcome = await this.start(message, incoming, background)
      if (push && 'task' in outcome) {
        const row = outcome.task
        await savePush(this.s, { ...push, taskId: row.id }, this.s.version)
        // Changes before the webhook existed are delivered now, in order.
        const past = await readEvents(this.s, row.id, 0)
        await enqueuePush(this.s, (await getTask(this.s, row.id)) ?? row, past)
      }
      return outcome
    } catch (err) {
      if (err instanceof TaskClosedError)
        throw new UnsupportedOperationError(`${err.message}: send a new message without taskId`)
      if (err instanceof ApiError && err.status < 500) this.refusal = err
      throw err
    }
  }

  private async start(
    message: Message,
    incoming: IncomingMessage,
    background: boolean,
  ): Promise<MessageOutcome> {
    if (!message.taskId) {
      const meta = { ...(message.metadata ?? {}), ...(this.requestMetadata ?? {}) }
      return sendMessage(this.s, {
        message: incoming,
        routing: queueRouting(meta, incoming.skill),
        task: { metadata: { source: 'a2a', ...routingMetadata(meta) } },
        background,
      })
    }
    const task = await this.load(message.taskId)
    if (message.contextId && message.contextId !== task.contextId) {
      throw new RequestMalformedError(`message.contextId does not match task ${task.id}'s context`)
    }
    return { task: await continueTask(this.s, task, incoming, background) }
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
