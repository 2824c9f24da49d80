import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createParser } from 'eventsource-parser'

/** What one chaos task prints: numbered lines the verifier expects back exactly once. */
export const LINES_PER_TASK = 6
export const expectedLines = (k: number) =>
  Array.from({ length: LINES_PER_TASK }, (_, j) => `chaos ${k} line ${j + 1}`)

/**
 * The shell command of task k: prints its lines with a pause between them (so kills land
 * mid-task), then records that it ran to the end in its codebase's `finished.log`.
 */
export const commandOf = (k: number) =>
  `for j in $(seq 1 ${LINES_PER_TASK}); do echo "chaos ${k} line $j"; sleep 0.05; done; echo ${k} >> finished.log`

/**
 * fetch that rides out the server's restart: connection failures and 5xx are retried for up
 * to a minute. Safe for POSTs only with an Idempotency-Key, which every caller here sends.
 */
export async function steadyFetch(url: string, init: RequestInit): Promise<Response> {
  const deadline = Date.now() + 60_000
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) })
      if (res.status < 500) return res
      if (Date.now() > deadline) return res
      await res.body?.cancel()
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    await sleep(wait)
  }
}

/** Creates task k on its workspace; the same Idempotency-Key on every retry. */
export async function createTask(
  server: string,
  token: string,
  workspace: string,
  k: number,
): Promise<string> {
  const key = randomUUID()
  const res = await steadyFetch(`${server}/v1/agent/codebases/${workspace}/tasks`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ title: `chaos ${k}`, prompt: commandOf(k), agent_type: 'command' }),
  })
  const body = (await res.json()) as { id?: string }
  if (res.status !== 200 || !body.id) throw new Error(`task ${k}: ${res.status}`)
  return body.id
}

/** What a subscriber saw of one task's output stream. */
export interface Watched {
  taskId: string
  /** Output event seqs in arrival order (a duplicate would appear twice). */
  seqs: number[]
  reconnects: number
  done: boolean
}

/**
 * Follows `/output/stream` of one task to its `done` event, reconnecting with Last-Event-ID
 * whenever the connection drops, the way a client that must not miss a line would.
 */
export async function watchTask(
  server: string,
  token: string,
  taskId: string,
  stopAt: number,
): Promise<Watched> {
  const watched: Watched = { taskId, seqs: [], reconnects: 0, done: false }
  let lastId: string | undefined
  let lastGood = 0
  while (!watched.done && Date.now() < stopAt) {
    try {
      const res = await fetch(`${server}/v1/agent/tasks/${taskId}/output/stream`, {
        headers: {
          authorization: `Bearer ${token}`,
          ...(lastId ? { 'last-event-id': lastId } : {}),
        },
        signal: AbortSignal.timeout(Math.max(1, stopAt - Date.now())),
      })
      if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`)
      const parser = createParser({
        onEvent(e) {
          if (e.id) lastId = e.id
          lastGood = watched.reconnects
          if (e.event === 'output') watched.seqs.push(Number(e.id))
          if (e.event === 'done') watched.done = true
        },
      })
      const decoder = new TextDecoder()
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }))
    } catch {
      // Dropped (by the proxy, or the server restarting): reconnect below.
    }
    if (!watched.done) {
      // At once after a drop; backing off while the server is away (restarting).
      await sleep(Math.min(1000, 50 * 2 ** Math.min(5, watched.reconnects - lastGood)))
      watched.reconnects++
    }
  }
  return watched
}
