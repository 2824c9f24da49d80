/**
 * The A2A HTTP+JSON binding (v1.0) under /a2a/rest: same handler as JSON-RPC, the spec's
 * routes and HTTP status mapping, bodies in ProtoJSON, errors as google.rpc.Status.
 */
import {
  AgentCard,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  Task,
  TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk'
import {
  ContentTypeNotSupportedError,
  RequestMalformedError,
  restStatusFor,
  toRestErrorBody,
  VersionNotSupportedError,
} from '@a2a-js/sdk/errors'
import { type Context, Hono } from 'hono'
import { requirePrincipal } from '../../auth/middleware'
import type { AppEnv } from '../../context'
import { holding, openStream } from '../../domain/limits/open-streams'
import { ApiError } from '../../lib/errors'
import type { JsonRefusal } from '../../lib/json-guard'
import { log } from '../../lib/log'
import { sseResponse } from '../../lib/sse'
import { scopeOf } from '../rest/scope'
import type { PlatformRequestHandler } from './handler'
import { answerType, readableBody } from './media-types'
import { checkParams } from './params'
import { a2aRequest } from './request'
import { namedVersion, versionOf } from './versions'

export const a2aRest = new Hono<AppEnv>()
a2aRest.use(requirePrincipal())
/** This binding speaks v1.0 only; a body it cannot read is refused before any work. */
a2aRest.use(async (c, next) => {
  const version = namedVersion(c)
  if (version && versionOf(version) !== '1.0')
    return fail(
      c,
      new VersionNotSupportedError(
        `A2A-Version ${version.slice(0, 20)} is not supported here: use 1.0`,
      ),
    )
  const type = c.req.header('Content-Type')
  if (c.req.raw.body && !readableBody(type)) {
    const err = new ContentTypeNotSupportedError(
      `Content-Type ${type?.slice(0, 100)} is not supported: send application/json`,
    )
    return reply(c, toRestErrorBody(err, 415), 415) // the HTTP+JSON binding's status for it (§11.6)
  }
  await next()
})

const handlerFor = (c: Context<AppEnv>, afterSeq?: number) => a2aRequest(c, '1.0', afterSeq)

const reply = (c: Context, body: unknown, status = 200) =>
  c.body(JSON.stringify(body), status as 200, {
    'Content-Type': answerType(c.req.header('Accept')),
  })

/** google.rpc.Status names for our own refusals, by HTTP status. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  402: 'FAILED_PRECONDITION',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
}

/**
 * A refusal of ours (a limit, the spending cap) as google.rpc.Status with its own HTTP status,
 * its code and details as an ErrorInfo: the SDK would call it an internal error.
 */
function refuse(c: Context, err: ApiError) {
  const details = err.details && typeof err.details === 'object' ? err.details : {}
  const metadata = Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  )
  const body = {
    error: {
      code: err.status,
      status: STATUS_NAMES[err.status] ?? 'FAILED_PRECONDITION',
      message: err.message,
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: err.code.toUpperCase(),
          domain: 'codetether',
          metadata,
        },
      ],
    },
  }
  const type = answerType(c.req.header('Accept'))
  return c.body(JSON.stringify(body), err.status, { 'Content-Type': type, ...err.headers })
}

function fail(c: Context, err: unknown) {
  if (err instanceof ApiError && err.status < 500) return refuse(c, err)
  const status = restStatusFor(err)
  if (status >= 500) log.error('a2a internal error', { request_id: c.get('requestId'), error: err })
  const safe = status >= 500 ? new Error('Internal error') : err
  return reply(c, toRestErrorBody(safe, status), status)
}

/** A body the JSON guard refuses: 400 INVALID_ARGUMENT naming the field. */
export const a2aRestRefusal: JsonRefusal = (c, p) =>
  fail(c, new RequestMalformedError(`Invalid request ${p.where}: ${p.path}: ${p.message}`))

async function body(c: Context, method: string): Promise<Record<string, unknown>> {
  let json: unknown
  try {
    json = await c.req.json()
  } catch {
    throw new RequestMalformedError('The body is not valid JSON')
  }
  const problem = checkParams(method, json)
  if (problem) throw new RequestMalformedError(problem)
  return json as Record<string, unknown>
}

async function stream(
  c: Context<AppEnv>,
  run: (h: PlatformRequestHandler) => AsyncGenerator<StreamResponse>,
  afterSeq?: number,
) {
  try {
    const lease = await openStream(scopeOf(c), c.req.raw.signal)
    const { handler, abort } = handlerFor(c, afterSeq)
    const it = run(handler)
    async function* items() {
      for await (const ev of it)
        yield { data: StreamResponse.toJSON(ev), id: handler.lastYieldedSeq }
    }
    const gen = items()
    // The first event decides between a stream and an error reply (the lease then goes back).
    const first = await holding(lease, () => gen.next())
    return sseResponse(
      (async function* () {
        if (!first.done) yield first.value
        yield* gen
      })(),
      {
        lease,
        onError: (err) => ({ event: 'error', data: toRestErrorBody(err, restStatusFor(err)) }),
        onCancel: () => abort.abort(),
        kind: 'a2a',
      },
    )
  } catch (err) {
    return fail(c, err)
  }
}

a2aRest.get('/extendedAgentCard', async (c) => {
  const { handler } = handlerFor(c)
  return reply(c, AgentCard.toJSON(await handler.getAuthenticatedExtendedAgentCard()))
})

a2aRest.post('/:action{message:(?:send|stream)}', async (c) => {
  try {
    const params = SendMessageRequest.fromJSON(await body(c, 'SendMessage'))
    if (c.req.param('action') === 'message:stream')
      return stream(c, (h) => h.sendMessageStream(params))
    const { handler } = handlerFor(c)
    const result = await handler.sendMessage(params)
    return reply(
      c,
      'messageId' in result ? { message: Message.toJSON(result) } : { task: Task.toJSON(result) },
    )
  } catch (err) {
    return fail(c, err)
  }
})

a2aRest.get('/tasks', async (c) => {
  try {
    const q = c.req.query()
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))
    const { handler } = handlerFor(c)
    // A state's own name only: not `constructor`, nor the enum's reverse entries ("1").
    const named = TaskState[q.status as keyof typeof TaskState]
    const status = !q.status
      ? TaskState.TASK_STATE_UNSPECIFIED
      : Object.hasOwn(TaskState, q.status) && typeof named === 'number'
        ? named
        : undefined
    if (status === undefined)
      throw new RequestMalformedError(`status ${q.status} is not a task state`)
    const res = await handler.listTasks({
      tenant: '',
      contextId: q.contextId ?? '',
      status,
      pageSize: num(q.pageSize),
      pageToken: q.pageToken ?? '',
      historyLength: num(q.historyLength),
      statusTimestampAfter: q.statusTimestampAfter,
      includeArtifacts: q.includeArtifacts === 'true',
    })
    return reply(c, ListTasksResponse.toJSON(res))
  } catch (err) {
    return fail(c, err)
  }
})

/** /tasks/{id}, /tasks/{id}:cancel, /tasks/{id}:subscribe */
a2aRest.on(['GET', 'POST'], '/tasks/:ref', async (c) => {
  const [id = '', action] = c.req.param('ref').split(':')
  try {
    if (action === 'subscribe') {
      const last = c.req.header('Last-Event-ID')
      const after = last === undefined ? undefined : Number(last)
      if (after !== undefined && (!Number.isInteger(after) || after < 0))
        throw new RequestMalformedError('Last-Event-ID must be a non-negative integer')
      return stream(c, (h) => h.resubscribe({ tenant: '', id }), after)
    }
    const { handler } = handlerFor(c)
    if (action === 'cancel' && c.req.method === 'POST')
      return reply(
        c,
        Task.toJSON(await handler.cancelTask({ tenant: '', id, metadata: undefined })),
      )
    if (action === undefined && c.req.method === 'GET') {
      const h = c.req.query('historyLength')
      return reply(
        c,
        Task.toJSON(
          await handler.getTask({
            tenant: '',
            id,
            historyLength: h === undefined ? undefined : Number(h),
          }),
        ),
      )
    }
    return reply(
      c,
      toRestErrorBody(new RequestMalformedError(`No route for ${c.req.method} ${c.req.path}`), 404),
      404,
    )
  } catch (err) {
    return fail(c, err)
  }
})

a2aRest.post('/tasks/:taskId/pushNotificationConfigs', async (c) => {
  try {
    const { handler, context } = handlerFor(c)
    const cfg = TaskPushNotificationConfig.fromJSON({
      ...(await c.req.json().catch(() => ({}))),
      taskId: c.req.param('taskId'),
    })
    return reply(
      c,
      TaskPushNotificationConfig.toJSON(
        await handler.createTaskPushNotificationConfig(cfg, context),
      ),
      201,
    )
  } catch (err) {
    return fail(c, err)
  }
})

a2aRest.get('/tasks/:taskId/pushNotificationConfigs', async (c) => {
  try {
    const { handler } = handlerFor(c)
    const res = await handler.listTaskPushNotificationConfigs({
      tenant: '',
      taskId: c.req.param('taskId'),
      pageSize: 0,
      pageToken: '',
    })
    return reply(c, {
      configs: res.configs.map((x) => TaskPushNotificationConfig.toJSON(x)),
      nextPageToken: res.nextPageToken,
    })
  } catch (err) {
    return fail(c, err)
  }
})

a2aRest.on(['GET', 'DELETE'], '/tasks/:taskId/pushNotificationConfigs/:id', async (c) => {
  try {
    const { handler } = handlerFor(c)
    const params = { tenant: '', taskId: c.req.param('taskId'), id: c.req.param('id') }
    if (c.req.method === 'DELETE') {
      await handler.deleteTaskPushNotificationConfig(params)
      return c.body(null, 204)
    }
    return reply(
      c,
      TaskPushNotificationConfig.toJSON(await handler.getTaskPushNotificationConfig(params)),
    )
  } catch (err) {
    return fail(c, err)
  }
})
