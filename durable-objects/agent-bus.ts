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
import { withinMs } from '../src/lib/deadline'
import { busShardName, topicBusName } from '../src/lib/live-objects'
import { log } from '../src/lib/log'
import { SSE_KEEPALIVE, sseBytes } from '../src/lib/sse'
import { EdgeSubscribers } from './edge-subscribers'
import { type Channel, Fanout } from './fanout'
import { TenantObject } from './tenant-object'

/** An agent's open stream (GET …/agents/{name}/stream). */
type Receiver = Channel<{ agent: string }>

/**
 * The live side of a tenant's agent messaging, spread over BUS_SHARDS objects
 * (live-objects.ts): an agent's streams and what is delivered to it live on its name's shard,
 * a request waiting for its reply on its message id's, and the first shard also matches
 * events to subscriptions. Every message is in Postgres (the recipient's inbox) before it is
 * pushed to the recipient's open streams; a stream that opens gets the unacknowledged inbox
 * first, and the alarm pushes again what stays unacknowledged (at-least-once, same id).
 * Built-in agents answer what is sent to them.
 */
export class AgentBus extends TenantObject {
  protected override readonly kind = 'agent-bus'
  private readonly receivers = new Fanout<{ agent: string }>({ keepalive: () => SSE_KEEPALIVE })
  /** Requests waiting on this shard, by message id: who asked, and how to hand them the reply. */
  private readonly waiters = new Map<string, { asker: string; resolve: (m: MessageView) => void }>()
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

  /**
   * A direct message: stored, pushed if its recipient listens, answered if it is built in.
   * Called on the recipient's shard, it takes no hop between objects.
   */
  async send(m: NewMessage): Promise<MessageView> {
    const msg = await this.insert(m)
    await this.shardOf(msg.to).arrive([msg])
    return msg
  }

  /**
   * Sends and waits for the reply: a message to the sender whose reply_to is this one's id.
   * Called on the shard of the message's id (replyBusOf), chosen before it is stored: a
   * waiter for every ask of one sender (all A2A calls ask as "a2a") would otherwise sit on
   * one object. The waiter is in place before the message exists, so no reply can come first.
   */
  async request(m: NewMessage & { id: string }, timeoutMs: number): Promise<MessageView | null> {
    const replied = new Promise<MessageView>((resolve, reject) => {
      this.waiters.set(m.id, { asker: m.sender, resolve })
      this.insert(m)
        .then((msg) =>
          // Stored is sent: a shard that cannot be reached now redelivers from the inbox.
          this.settled([this.shardOf(msg.to).arrive([msg])], 'a request was not pushed'),
        )
        .catch(reject)
    })
    try {
      return (await withinMs(replied, timeoutMs)) ?? null
    } finally {
      this.waiters.delete(m.id)
    }
  }

  /** A reply for a request waiting on this shard (see `request`), if it goes to the asker. */
  async settle(reply: MessageView): Promise<void> {
    const waiting = reply.reply_to ? this.waiters.get(reply.reply_to) : undefined
    if (waiting?.asker === reply.to) waiting.resolve(reply)
  }

  /**
   * A direct message to a registered local agent, stored only if there is one by that name
   * (one statement); null when there is none, for the caller to look further.
   */
  async sendToRegistered(m: NewMessage): Promise<MessageView | null> {
    const msg = await insertForRegistered(this.scope(), m)
    if (msg) await this.shardOf(msg.to).arrive([msg])
    return msg
  }

  /**
   * Stored messages for agents of this shard: pushed to their streams, handed to whoever
   * waits for them as a reply, and answered by a built-in recipient. A reply is not a new
   * request: answering it would start an endless exchange.
   */
  async arrive(messages: MessageView[]): Promise<void> {
    await this.deliver(messages)
    for (const msg of messages) {
      const builtin = msg.kind === 'direct' && !msg.reply_to ? edgeAgentNamed(msg.to) : undefined
      if (builtin) this.ctx.waitUntil(this.answer(builtin.name, msg))
    }
  }

  private async insert(m: NewMessage): Promise<MessageView> {
    const [msg] = await insertMessages(this.scope(), [m])
    if (!msg) throw new Error('insert returned no message')
    return msg
  }

  /** The shard for an agent's name or a message id (busShardName). */
  private shardOf(key: string) {
    return this.shardNamed(busShardName(this.env, this.tenantId, key))
  }

  /** The shard that holds the tenant's subscriptions. */
  private topicShard() {
    return this.shardNamed(topicBusName(this.tenantId))
  }

  /** The tenant's shard of this name: this object, or another reached by RPC. */
  private shardNamed(name: string): Pick<AgentBus, 'arrive' | 'send' | 'publish' | 'settle'> {
    if (name === this.ctx.id.name) return this
    // The stub's RPC types cannot express `body: unknown`; its methods are this class's.
    return this.env.AGENT_BUS.getByName(name) as unknown as AgentBus
  }

  /**
   * An event to every agent whose subscription matches (the sender excepted). On the topic
   * shard (the first), which holds every subscription.
   */
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
    // Stored is published: a shard that cannot be reached now redelivers from the inbox.
    await this.spread(stored)
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

  /** On the topic shard, like `publish`. */
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
        if (r.kind === 'event' && r.topic) await this.topicShard().publish({ ...r, topic: r.topic })
        else await this.send(r)
      }
    } catch (err) {
      log.error('built-in agent failed on a message', { agent: builtinId, error: err as Error })
    }
  }

  /** Stored messages to their recipients' shards, each shard's in one call. */
  private async spread(messages: MessageView[]) {
    const byShard = new Map<string, MessageView[]>()
    for (const m of messages) {
      const name = busShardName(this.env, this.tenantId, m.to)
      const batch = byShard.get(name)
      if (batch) batch.push(m)
      else byShard.set(name, [m])
    }
    await this.settled(
      [...byShard].map(([name, batch]) => this.shardNamed(name).arrive(batch)),
      'event delivery to another bus shard failed',
    )
  }

  /** Waits for every call; one that fails is logged, since what it carried is stored. */
  private async settled(calls: Promise<unknown>[], failure: string) {
    for (const r of await Promise.allSettled(calls))
      if (r.status === 'rejected') log.warn(failure, { error: r.reason as Error })
  }

  /**
   * Pushes to listening recipients (and to whoever waits for a reply). The writes go out
   * together: awaiting each in turn would queue every subscriber behind the streams before
   * it. A live push is not written back: redelivery counts from the message's creation, which
   * is when it was pushed.
   */
  private async deliver(messages: MessageView[]) {
    const writes: Promise<boolean>[] = []
    const replies: Promise<void>[] = []
    for (const m of messages) {
      if (m.reply_to) replies.push(this.shardOf(m.reply_to).settle(m))
      for (const r of this.receivers) {
        if (r.meta.agent === m.to) writes.push(this.write(r, 'message', m, m.id))
      }
    }
    // Not awaited: a reply is stored, and its request's waiter was in place before it.
    this.ctx.waitUntil(this.settled(replies, 'a reply could not reach the shard waiting for it'))
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
