/**
 * The monitor's live feed: the message log tailed from Postgres, so every replica serves the
 * same feed and a reconnect with Last-Event-ID resumes exactly after the last message seen.
 */
import type { SseItem } from '../../lib/sse'
import type { Scope } from '../scope'
import { type Cursor, latestCursor, messagesAfter, parseCursor } from './log'
import { monitorAgents } from './stats'

export interface TailOptions {
  /** How often the log is read again when it had nothing new. */
  pollMs: number
  /** How old a message must be before it is sent (see messagesAfter). */
  settleMs: number
  /** Every this many reads, the agents' presence is sent again. */
  presenceEvery: number
}

const BATCH = 200

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })

/**
 * `connected`, then `agent_status` (the agents and their presence), then every message as a
 * plain `data:` frame with the message's cursor as its id. Without a cursor it starts at the
 * newest message: the page loads history from /messages.
 */
export async function* tailMessages(
  scope: Scope,
  lastEventId: string | undefined,
  signal: AbortSignal,
  opts: TailOptions,
): AsyncGenerator<SseItem> {
  let cursor: Cursor | undefined = parseCursor(lastEventId)
  const resumed = cursor !== undefined
  cursor ??= await latestCursor(scope, opts.settleMs)
  yield { event: 'connected', data: { resumed, at: new Date().toISOString() } }
  for (let reads = 0; !signal.aborted; reads++) {
    if (reads % opts.presenceEvery === 0) {
      yield { event: 'agent_status', data: { agents: await monitorAgents(scope) } }
    }
    const batch = await messagesAfter(scope, cursor, BATCH, opts.settleMs)
    for (const m of batch) {
      yield { id: m.id, data: m }
      cursor = parseCursor(m.id)
    }
    if (batch.length < BATCH) await sleep(opts.pollMs, signal)
  }
}
