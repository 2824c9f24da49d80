import type { EventHandler } from '@codetether/agent-kit'
import { topicFor } from '@codetether/agent-kit'
import { edgeContext } from '../src/agents/edge-context'
import { edgeAgents } from '../src/agents/registry'
import { ackMessages, type MessageView } from '../src/domain/bus/messages'
import { topicMatches } from '../src/domain/bus/topics'
import type { Scope } from '../src/domain/scope'
import { log } from '../src/lib/log'

/**
 * The edge app's agents as event subscribers: their `setup` runs once per bus instance, its
 * subscriptions are stored like anyone's, and the events that reach an edge agent go to the
 * handlers it gave, then are acknowledged.
 */
export class EdgeSubscribers {
  private readonly handlers = new Map<string, Map<string, EventHandler>>()
  private ready: Promise<void> | undefined

  constructor(
    private readonly scope: () => Scope,
    /** Stores a subscription change where the bus keeps them. */
    private readonly store: (agent: string, pattern: string, on: boolean) => Promise<unknown>,
  ) {}

  /** Runs every edge agent's setup (once), recording what it subscribes to. */
  setup(): Promise<void> {
    this.ready ??= Promise.all(
      edgeAgents
        .filter((a) => a.setup)
        .map(async (agent) => {
          const scope = this.scope()
          const mine = new Map<string, EventHandler>()
          this.handlers.set(agent.name, mine)
          const subscribe = async (on: boolean, from: string, type: string, h?: EventHandler) => {
            const pattern = topicFor(from, type)
            if (on && h) mine.set(pattern, h)
            else mine.delete(pattern)
            await this.store(agent.name, pattern, on)
          }
          // Kept open: the handlers setup gives may use this context's MCP tools later.
          const ctx = {
            ...edgeContext(scope, agent),
            subscribe: (from: string, type: string, h: EventHandler) =>
              subscribe(true, from, type, h),
            unsubscribe: (from: string, type: string) => subscribe(false, from, type),
          }
          try {
            await agent.setup?.(ctx)
          } catch (err) {
            log.error('edge agent setup failed', { agent: agent.name, error: err as Error })
          }
        }),
    ).then(() => {})
    return this.ready
  }

  /** Events for edge agents: to their handlers, then acknowledged. */
  async dispatch(events: MessageView[]) {
    for (const e of events) {
      const mine = this.handlers.get(e.to)
      if (!mine || !e.topic) continue
      for (const [pattern, handler] of mine) {
        if (!topicMatches(pattern, e.topic)) continue
        try {
          await handler(e.body, { topic: e.topic, from: e.from })
        } catch (err) {
          log.warn('edge agent event handler failed', {
            agent: e.to,
            topic: e.topic,
            error: err as Error,
          })
        }
      }
      await ackMessages(this.scope(), e.to, [e.id])
    }
  }
}
