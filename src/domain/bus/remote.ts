/**
 * Remote A2A agents: registered by URL (their card fetched under the outbound-URL guard, with
 * size and time limits), called with `@a2a-js/sdk`'s client, and delegated to, with the remote
 * task mirrored into one of ours.
 */
import { AgentCard, type Message, type StreamResponse, type Task } from '@a2a-js/sdk'
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client'
import { agentMessage } from '../../agents/message'
import { ApiError, badRequest } from '../../lib/errors'
import { log } from '../../lib/log'
import {
  OutboundRefused,
  outboundFetch,
  outboundPolicy,
  outboundUrlProblem,
} from '../../lib/outbound-url'
import { admitTask } from '../limits/tasks'
import { announce } from '../live/publish'
import type { Scope } from '../scope'
import { applyChange, insertTask, type TaskChange, type TaskRow } from '../task-model/store'
import { agentRow, saveRemoteAgent } from './registry'
import { a2aJson, artifactJson, stateOf, textOf } from './remote-convert'

const CARD_LIMIT = 256 * 1024
const REPLY_LIMIT = 4 * 1024 * 1024
const TIMEOUT_MS = 15_000
// A card is small and the first thing asked: a server slow to give it is not worth waiting for.
const CARD_TIMEOUT_MS = 5_000

/**
 * fetch for calls to a remote agent: every URL and redirect hop passes the guard, answers
 * are size-limited and time-limited; streams pass through.
 */
function guardedFetch(scope: Scope): typeof fetch {
  const policy = outboundPolicy(scope.config)
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const card = url.includes('/.well-known/')
    const signal = AbortSignal.any(
      [AbortSignal.timeout(card ? CARD_TIMEOUT_MS : TIMEOUT_MS), init?.signal].filter(
        (s): s is AbortSignal => !!s,
      ),
    )
    let res: Response
    try {
      res = await outboundFetch(policy, input, { ...init, signal })
    } catch (err) {
      if (err instanceof OutboundRefused) {
        throw new ApiError(400, 'remote_refused', `Remote agent ${err.message}`)
      }
      throw err
    }
    if (res.headers.get('content-type')?.includes('text/event-stream')) return res
    const limit = card ? CARD_LIMIT : REPLY_LIMIT
    return new Response(await readLimited(res, limit), res)
  }
}

async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (declared > limit)
    throw new ApiError(502, 'remote_too_large', 'The remote answer is too large')
  const reader = res.body?.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const chunk = await reader?.read()
    if (!chunk || chunk.done) break
    size += chunk.value.byteLength
    if (size > limit) {
      await reader?.cancel()
      throw new ApiError(502, 'remote_too_large', 'The remote answer is too large')
    }
    chunks.push(chunk.value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** The SDK's client factory with every request (the card too) through the guarded fetch. */
function factory(scope: Scope) {
  const fetchImpl = guardedFetch(scope)
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [
        new JsonRpcTransportFactory({ fetchImpl }),
        new RestTransportFactory({ fetchImpl }),
      ],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  )
}

/** Fetches a remote agent's card and registers it under `name` (default: from the card). */
export async function registerRemoteAgent(scope: Scope, url: string, name?: string) {
  const problem = await outboundUrlProblem(url, outboundPolicy(scope.config))
  if (problem) throw badRequest(`url: ${problem}`)
  let client: Client
  try {
    client = await factory(scope).createFromUrl(url.replace(/\/+$/, ''))
  } catch (err) {
    // The URL the caller gave does not lead to a usable agent: theirs to fix, a 422.
    const why = err instanceof ApiError ? err.message : reason(err)
    throw new ApiError(422, 'remote_card', `Could not read an agent card at ${url}: ${why}`)
  }
  const card = AgentCard.toJSON(await client.getAgentCard()) as Record<string, unknown>
  const chosen = name ?? slug(String(card.name ?? 'remote'))
  return saveRemoteAgent(scope, chosen, { ...card, url })
}

/** A fetch failure in words, without the runtime's internal references. */
const reason = (err: unknown) => {
  const m = (err as Error).message ?? String(err)
  return /internal error; reference/i.test(m) ? 'the server did not answer' : m
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'remote'

async function clientFor(scope: Scope, name: string): Promise<Client> {
  const row = await agentRow(scope, name)
  if (row?.kind !== 'remote' || !row.url) throw badRequest(`${name} is not a remote agent`)
  try {
    return await factory(scope).createFromUrl(row.url)
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError(
      502,
      'remote_unavailable',
      `${name} did not answer: ${(err as Error).message}`,
    )
  }
}

function request(text: string, contextId?: string) {
  return a2aJson({
    messageId: crypto.randomUUID(),
    role: 'ROLE_USER',
    parts: [{ text }],
    contextId,
  })
}

/** A blocking call: the remote's answer as text plus its task or message. */
export async function callRemote(scope: Scope, name: string, text: string, contextId?: string) {
  const client = await clientFor(scope, name)
  try {
    const result = (await client.sendMessage(request(text, contextId))) as Task | Message
    return { text: textOf(result), state: stateOf(result), result }
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new ApiError(502, 'remote_failed', `${name} failed: ${(err as Error).message}`)
  }
}

/** A streaming call: the remote's events as they come. */
export async function* streamRemote(
  scope: Scope,
  name: string,
  text: string,
): AsyncGenerator<StreamResponse> {
  const client = await clientFor(scope, name)
  yield* client.sendMessageStream(request(text))
}

/**
 * Delegates to a remote agent: a task of ours (working at once, so no worker claims it) whose
 * states, messages and artifacts follow the remote task's stream until it ends.
 */
export async function delegateToRemote(scope: Scope, name: string, text: string): Promise<TaskRow> {
  await clientFor(scope, name) // fail now, not in the background, when it cannot be reached
  await admitTask(scope, text)
  const contextId = crypto.randomUUID()
  const id = crypto.randomUUID()
  const created = await insertTask(
    scope,
    {
      id,
      contextId,
      title: text.slice(0, 120),
      prompt: text,
      agentType: 'remote',
      targetAgentName: name,
      metadata: { remote_agent: name },
      createdBy: scope.principal.subject,
      history: [
        {
          messageId: crypto.randomUUID(),
          role: 'ROLE_USER',
          parts: [{ text }],
          taskId: id,
          contextId,
        },
      ],
    },
    [{ state: 'working' }],
  )
  await announce(scope, created.task, created.events, { fresh: true })
  scope.waitUntil(mirror(scope, created.task, name, text))
  return created.task
}

async function mirror(scope: Scope, task: TaskRow, name: string, text: string) {
  const change = async (c: TaskChange) => {
    const applied = await applyChange(scope, task.id, c)
    if (applied) await announce(scope, applied.task, applied.events)
  }
  try {
    for await (const ev of streamRemote(scope, name, text)) {
      const c = changeOf(ev, task)
      if (c) await change(c)
    }
  } catch (err) {
    log.warn('remote delegation failed', { task_id: task.id, agent: name, error: err as Error })
    await change({ state: 'failed', error: `${name}: ${(err as Error).message}` })
  }
}

/** One remote stream event as a change of our task (ids rewritten to ours). */
function changeOf(ev: StreamResponse, task: TaskRow): TaskChange | undefined {
  const p = ev.payload
  const ours = (t: string) => agentMessage(t, undefined, task.id, task.contextId)
  switch (p?.$case) {
    case 'message':
      return { state: 'completed', statusMessage: ours(textOf(p.value)), result: textOf(p.value) }
    case 'task':
    case 'statusUpdate': {
      const remote = stateOf(p.$case === 'task' ? p.value : { status: p.value.status })
      // Ours stays out of the queue: a submitted task would be a worker's to claim.
      const state = remote === 'submitted' ? 'working' : remote
      const said = p.$case === 'task' ? textOf(p.value) : textOf({ status: p.value.status })
      const remoteId = p.$case === 'task' ? p.value.id : p.value.taskId
      return {
        state,
        statusMessage: said ? ours(said) : undefined,
        result: state === 'completed' && said ? said : undefined,
        metadata: { remote_task_id: remoteId },
      }
    }
    case 'artifactUpdate':
      return p.value.artifact ? { artifacts: [artifactJson(p.value.artifact)] } : undefined
    default:
      return undefined
  }
}
