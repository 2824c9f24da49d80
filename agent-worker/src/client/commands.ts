import { createInterface } from 'node:readline'
import { ListTasksRequest, type Task } from '@a2a-js/sdk'
import { answer, Server } from '../http.js'
import {
  a2aClient,
  answerOf,
  type ClientOptions,
  describeEvent,
  isTask,
  stateName,
  userMessage,
} from './a2a.js'

const out = (s: string) => process.stdout.write(`${s}\n`)
const json = (v: unknown) => out(JSON.stringify(v))

/** The states after which nothing more happens (or a person must answer). */
const FAILED = new Set(['failed', 'rejected', 'canceled'])

/** `codetether send "…"`: one message, the answer printed. Exit 1 when the task failed. */
export async function send(
  opts: ClientOptions & { json: boolean; context?: string },
  text: string,
) {
  const client = await a2aClient(opts)
  const result = await client.sendMessage(userMessage(text, opts.context))
  if (opts.json) json(result)
  else out(answerOf(result))
  return isTask(result) && FAILED.has(stateName(result.status?.state)) ? 1 : 0
}

/** `codetether stream "…"`: events as they arrive, one per line. */
export async function stream(
  opts: ClientOptions & { json: boolean; context?: string },
  text: string,
) {
  const client = await a2aClient(opts)
  let last = ''
  for await (const ev of client.sendMessageStream(userMessage(text, opts.context))) {
    const { kind, text: body } = describeEvent(ev)
    last = kind
    if (opts.json) json(ev)
    else out(body ? `[${kind}] ${body}` : `[${kind}]`)
  }
  return FAILED.has(last) ? 1 : 0
}

/** `codetether chat`: a conversation in one context, until EOF or /exit. */
export async function chat(opts: ClientOptions & { json: boolean }) {
  const client = await a2aClient(opts)
  const rl = createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: process.stdin.isTTY,
  })
  let contextId: string | undefined
  let taskId: string | undefined
  process.stderr.write('Chatting with CodeTether; /exit or Ctrl-D to leave.\n')
  rl.setPrompt('> ')
  rl.prompt()
  // The line iterator buffers piped input, so lines typed ahead of an answer are not lost.
  for await (const raw of rl) {
    const line = raw.trim()
    if (line === '/exit') break
    if (line) {
      const result = await client.sendMessage(userMessage(line, contextId, taskId))
      contextId = isTask(result) ? result.contextId : result.contextId || contextId
      // A task waiting for input takes the next message; a finished one does not.
      const waiting = isTask(result) && stateName(result.status?.state) === 'input_required'
      taskId = waiting ? result.id : undefined
      if (opts.json) json(result)
      else out(answerOf(result))
    }
    rl.prompt()
  }
  rl.close()
  return 0
}

/** `codetether tasks`: the tenant's recent tasks. */
export async function tasks(
  opts: ClientOptions & { json: boolean; limit: number; context?: string },
) {
  const client = await a2aClient(opts)
  const page = await client.listTasks(
    ListTasksRequest.fromJSON({
      pageSize: opts.limit,
      ...(opts.context ? { contextId: opts.context } : {}),
    }),
  )
  if (opts.json) {
    json(page.tasks)
    return 0
  }
  for (const t of page.tasks as Task[]) {
    const when = t.status?.timestamp ?? ''
    out(
      `${t.id}  ${stateName(t.status?.state).padEnd(14)}  ${when}  ${answerOf(t).split('\n')[0]?.slice(0, 60) ?? ''}`,
    )
  }
  return 0
}

/** `codetether agents`: the agents the server offers (its card's skills) and the workers online. */
export async function agents(opts: ClientOptions & { json: boolean }) {
  const card = await (await a2aClient(opts)).getAgentCard()
  const workers = await answer(new Server(opts).api.GET('/v1/agent/workers'))
  if (opts.json) {
    json({ agents: card.skills ?? [], workers })
    return 0
  }
  for (const s of card.skills ?? []) out(`agent   ${s.id.padEnd(24)} ${s.description ?? s.name}`)
  for (const w of workers) out(`worker  ${w.worker_id.padEnd(24)} ${w.name} (${w.status})`)
  return 0
}
