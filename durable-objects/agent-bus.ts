import { edgeAgentNamed } from '../src/agents/registry'
import { answerAsEdgeAgent } from '../src/domain/bus/edge-agents'
import {
  eventView,
  insertEvent,
  insertForRegistered,
  insertMessages,
  type MessageView,
  type NewMessage,
  readInbox,
} from '../src/domain/bus/messages'
import { touchAgents } from '../src/domain/bus/registry'
import { loadSubscriptions, saveSubscription } from '../src/domain/bus/subscriptions'
import { topicMatches } from '../src/domain/bus/topics'
import { configOf } from '../src/env'
import { log } from '../src/lib/log'
import { SSE_KEEPALIVE, sseBytes } from '../src/lib/sse'
import { EdgeSubscribers } from './edge-subscribers'
import { type Channel, Fanout } from './fanout'
import { TenantObject } from './tenant-object'

/** An agent's open stream (GET …/agents/{name}/stream). */
type Receiver = Channel<{ agent: string }>

/**
 * One per tenant: the live side of agent messaging. Every message is in Postgres (the
 * recipient's inbox) before it is pushed to the recipient's open streams; a stream that opens
 * gets the unacknowledged inbox first, and the alarm pushes again what stays unacknowledged
 * (at-least-once, same id). Built-in agents answer what is sent to them.
 */
export class AgentBus extends TenantObject {
  protected override readonly kind = 'agent-bus'
  private readonly receivers = new Fanout<{ agent: string }>({ keepalive: () => SSE_KEEPALIVE })
  private readonly waiters = new Map<string, (m: MessageView) => void>()
  private subscriptions: Map<string, Set<string>> | undefined
  private readonly edge = new EdgeSubscribers(
    () => this.scope(),
    (agent, pattern, on) => this.store(agent, pattern, on),
  )

  /** An agent's messages as SSE: its unacknowledged inbox first, then live ones. */
  async listen(agent: string): Promise<ReadableStream<Uint8Array>> {
    const { channel, readable } = this.receivers.open({ agent })
    await this.keepAlarm()
    this.ctx.waitUntil(this.greet(channel))
    return readable
  }

  /** A direct message: stored, pushed if its recipient listens, answered if it is built in. */
  async send(m: NewMessage): Promise<MessageView> {
    return this.post(m)
  }

  /** Sends and waits for the reply (a message whose reply_to is this one's id). */
  async request(m: NewMessage, timeoutMs: number): Promise<MessageView | null> {
    let timer: ReturnType<typeof setTimeout> | undefined
    let sentId = ''
    try {
      return await new Promise<MessageView | null>((resolve, reject) => {
        timer = setTimeout(() => resolve(null), timeoutMs)
        this.post(m, (id) => {
          sentId = id
          this.waiters.set(id, resolve)
        }).catch(reject)
      })
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      this.waiters.delete(sentId)
    }
  }

  /**
   * A direct message to a registered local agent, stored only if there is one by that name
   * (one statement); null when there is none, for the caller to look further.
   */
  async sendToRegistered(m: NewMessage): Promise<MessageView | null> {
    const msg = await insertForRegistered(this.scope(), m)
    if (msg) await this.deliver([msg])
    return msg
  }

  private async post(m: NewMessage, stored?: (id: string) => void): Promise<MessageView> {
    const [msg] = await insertMessages(this.scope(), [m])
    if (!msg) throw new Error('insert returned no message')
    stored?.(msg.id)
    await this.deliver([msg])
    // A reply is not a new request: answering it would start an endless exchange.
    const builtin = m.replyTo ? undefined : edgeAgentNamed(m.recipient)
    if (builtin) this.ctx.waitUntil(this.answer(builtin.name, msg))
    return msg
  }

  /** An event to every agent whose subscription matches (the sender excepted). */
  async publish(e: {
    sender: string
    topic: string
    body: unknown
    conversationId?: string
  }): Promise<{ id: string | null; recipients: string[] }> {
    const subscriptions = await this.subs()
    const recipients = [...subscriptions]
      .filter(
        ([agent, patterns]) =>
          agent !== e.sender && [...patterns].some((p) => topicMatches(p, e.topic)),
      )
      .map(([agent]) => agent)
    const stored = await insertEvent(this.scope(), e, recipients)
    await this.deliver(stored)
    this.ctx.waitUntil(this.edge.dispatch(stored))
    // Built-in agents listen on message.to.<id>, as the seed's did.
    const words = e.topic.split('.')
    const builtin =
      words.length === 3 && words[1] === 'to' ? edgeAgentNamed(words[2] ?? '') : undefined
    if (builtin) {
      const asMessage = eventView(e, crypto.randomUUID(), builtin.name)
      this.ctx.waitUntil(this.answer(builtin.name, asMessage))
    }
    return { id: stored[0]?.id ?? null, recipients }
  }

  async subscribe(agent: string, pattern: string, on: boolean): Promise<string[]> {
    await this.subs()
    return [...(await this.store(agent, pattern, on))]
  }

  /** A subscription change, in Postgres and in the copy this object matches topics against. */
  private async store(agent: string, pattern: string, on: boolean): Promise<Set<string>> {
    await saveSubscription(this.scope(), agent, pattern, on)
    const mine = this.subscriptions?.get(agent) ?? new Set<string>()
    if (on) mine.add(pattern)
    else mine.delete(pattern)
    this.subscriptions?.set(agent, mine)
    return mine
  }

  connectedAgents(): string[] {
    return [...new Set([...this.receivers].map((r) => r.meta.agent))]
  }

  /** Redelivers what stays unacknowledged, and keeps listening agents listed. */
  override async alarm(): Promise<void> {
    if (!this.hasTenant) return
    const tenantId = this.tenantId
    const agents = this.connectedAgents()
    if (!agents.length) return
    const scope = this.scope()
    try {
      await touchAgents(scope, agents)
      // One statement for every listening agent: the pass must not crowd out live traffic.
      const due = await readInbox(scope, agents, {
        limit: 500,
        quietSeconds: scope.config.AGENT_REDELIVER_SECONDS,
      })
      await Promise.all(due.map((m) => this.push(m)))
    } catch (err) {
      log.error('agent bus redelivery failed', { tenant_id: tenantId, error: err as Error })
    }
    await this.ctx.storage.setAlarm(Date.now() + this.redeliverMs())
  }

  private async answer(builtinId: string, msg: MessageView) {
    try {
      const replies = await answerAsEdgeAgent(this.scope(), builtinId, msg)
      for (const r of replies) {
        if (r.kind === 'event' && r.topic) await this.publish({ ...r, topic: r.topic })
        else await this.send(r)
      }
    } catch (err) {
      log.error('built-in agent failed on a message', { agent: builtinId, error: err as Error })
    }
  }

  /**
   * Pushes to listening recipients (and to whoever waits for a reply). The writes go out
   * together: awaiting each in turn would queue every subscriber behind the streams before
   * it. A live push is not written back: redelivery counts from the message's creation, which
   * is when it was pushed.
   */
  private async deliver(messages: MessageView[]) {
    const writes: Promise<boolean>[] = []
    for (const m of messages) {
      if (m.reply_to) this.waiters.get(m.reply_to)?.(m)
      for (const r of this.receivers) {
        if (r.meta.agent === m.to) writes.push(this.write(r, 'message', m, m.id))
      }
    }
    await Promise.all(writes)
  }

  private async push(m: MessageView): Promise<void> {
    await Promise.all(
      [...this.receivers]
        .filter((r) => r.meta.agent === m.to)
        .map((r) => this.write(r, 'message', { ...m, redelivered: true }, m.id)),
    )
  }

  private async greet(r: Receiver) {
    const { agent } = r.meta
    await this.write(r, 'connected', { agent })
    try {
      const scope = this.scope()
      await touchAgents(scope, [agent])
      for (const m of await readInbox(scope, agent, { limit: 500 })) {
        await this.write(r, 'message', m, m.id)
      }
    } catch (err) {
      log.warn('inbox replay failed', { agent, error: err as Error })
    }
  }

  private write(r: Receiver, event: string, data: unknown, id?: string): Promise<boolean> {
    return this.receivers.write(r, sseBytes({ event, id, data }))
  }

  private async keepAlarm() {
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + this.redeliverMs())
    }
  }

  private redeliverMs() {
    return configOf(this.env).AGENT_REDELIVER_SECONDS * 1000
  }

  private async subs() {
    if (!this.subscriptions) {
      const loaded = await loadSubscriptions(this.scope())
      this.subscriptions = loaded
      await this.edge.setup()
    }
    return this.subscriptions
  }
}
