import { EventSourceParserStream } from 'eventsource-parser/stream'
import type { components } from '../generated/rest-api.js'
import { answer, backoff, type Server, sleep } from '../http.js'
import { log } from '../log.js'

/**
 * A task offered to this worker, by the task stream (`task_available`) or by polling: the
 * fields of the API's task that both carry.
 */
export type OfferedTask = Pick<
  components['schemas']['AgentTask'],
  | 'id'
  | 'codebase_id'
  | 'title'
  | 'prompt'
  | 'agent_type'
  | 'priority'
  | 'metadata'
  | 'model_ref'
  | 'target_agent_name'
  | 'created_at'
>

export interface FeedHandlers {
  offer(task: OfferedTask): void
  cancel(taskId: string, reason: string): void
  /** The stream (re)connected: a good moment to re-register. */
  connected(): Promise<void>
}

export interface FeedIdentity {
  workerId: string
  name: string
  codebaseIds(): string[]
  capabilities: string[]
  /** The coding CLIs it has: the push of a task sent to one of them comes here. */
  agents: string[]
}

/** The server heartbeats every 25 s; this long without a byte means the stream is dead. */
const SILENCE_MS = 70_000

/**
 * Holds the worker's task stream: offers and cancellations as they happen. Reconnects with
 * backoff and jitter; while the stream is down, and every `pollSeconds` anyway (an offer is
 * advisory and may be missed), it asks for the pending tasks it may claim.
 */
export class TaskFeed {
  online = false

  constructor(
    private readonly server: Server,
    private readonly who: FeedIdentity,
    private readonly on: FeedHandlers,
    private readonly pollSeconds: number,
  ) {}

  start(signal: AbortSignal) {
    void this.streamLoop(signal)
    void this.pollLoop(signal)
  }

  private async streamLoop(signal: AbortSignal) {
    let failures = 0
    while (!signal.aborted) {
      try {
        await this.stream(signal, () => {
          failures = 0
        })
      } catch (err) {
        if (signal.aborted) return
        if (failures === 0) log.warn(`task stream down: ${(err as Error).message}`)
      }
      this.online = false
      if (signal.aborted) return
      void this.poll()
      await sleep(backoff(failures++, 500, 30_000), signal)
    }
  }

  private async stream(signal: AbortSignal, onOpen: () => void) {
    const silence = new AbortController()
    const both = AbortSignal.any([signal, silence.signal])
    const res = await fetch(`${this.server.base}/v1/worker/tasks/stream`, {
      headers: this.server.headers({
        Accept: 'text/event-stream',
        'X-Worker-ID': this.who.workerId,
        'X-Agent-Name': this.who.name,
        'X-Codebases': this.who.codebaseIds().join(','),
        'X-Capabilities': this.who.capabilities.join(','),
        'X-Agents': this.who.agents.join(','),
      }),
      signal: both,
    })
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
    let timer = setTimeout(() => silence.abort(), SILENCE_MS)
    const events = res.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
    try {
      for await (const ev of events) {
        clearTimeout(timer)
        timer = setTimeout(() => silence.abort(), SILENCE_MS)
        await this.handle(ev.event ?? 'message', ev.data, onOpen)
      }
      throw new Error('closed by the server')
    } finally {
      clearTimeout(timer)
    }
  }

  private async handle(event: string, data: string, onOpen: () => void) {
    const body = data ? JSON.parse(data) : {}
    if (event === 'connected') {
      this.online = true
      onOpen()
      log.info('task stream connected')
      await this.on.connected()
    } else if (event === 'task_available') {
      this.on.offer(body as OfferedTask)
    } else if (event === 'task_cancelled') {
      this.on.cancel(String(body.task_id), String(body.reason ?? 'cancelled'))
    }
  }

  private async pollLoop(signal: AbortSignal) {
    while (!signal.aborted) {
      await this.poll()
      await sleep(this.online ? this.pollSeconds * 1000 : 5000, signal)
    }
  }

  /** The pending tasks this worker may claim (upstream's fallback). */
  async poll() {
    try {
      const tasks = await answer(
        this.server.api.GET('/v1/agent/tasks', {
          params: { query: { status: 'pending', limit: 50 } },
          headers: { 'X-Worker-ID': this.who.workerId },
        }),
      )
      for (const t of tasks.reverse()) this.on.offer(t)
    } catch (err) {
      log.warn(`polling for tasks failed: ${(err as Error).message}`)
    }
  }
}
