/** Agents' inboxes in Postgres: every message is written here before anyone is told of it. */
import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm'
import { agentMessages, agents } from '../../storage/postgres/bus-schema'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'

export interface NewMessage {
  /** Chosen by the sender when it must know the id before the message is stored. */
  id?: string
  recipient: string
  sender: string
  kind: 'direct' | 'event'
  topic?: string
  conversationId?: string
  replyTo?: string
  body: unknown
}

type Row = typeof agentMessages.$inferSelect

/** The wire shape of a message (REST, SSE, MCP): snake_case, as the rest of the REST API. */
export function messageView(m: Row) {
  return {
    id: m.id,
    to: m.recipient,
    from: m.sender,
    kind: m.kind,
    topic: m.topic,
    conversation_id: m.conversationId,
    reply_to: m.replyTo,
    body: m.body,
    created_at: m.createdAt.toISOString(),
    deliveries: m.deliveries,
  }
}
export type MessageView = ReturnType<typeof messageView>

export async function insertMessages(t: Tenancy, messages: NewMessage[]) {
  if (!messages.length) return []
  const rows = await tenantQuery(t, (db) =>
    db
      .insert(agentMessages)
      .values(
        messages.map((m) => ({
          tenantId: t.tenantId,
          id: m.id,
          recipient: m.recipient,
          sender: m.sender,
          kind: m.kind,
          topic: m.topic,
          conversationId: m.conversationId,
          replyTo: m.replyTo,
          body: m.body,
        })),
      )
      .returning(),
  )
  return rows.map(messageView)
}

/**
 * One event for many recipients in one statement whose parameters do not grow with the
 * recipients (they travel as one JSON array).
 */
export async function insertEvent(
  t: Tenancy,
  e: { sender: string; topic: string; conversationId?: string; body: unknown },
  recipients: string[],
): Promise<MessageView[]> {
  if (!recipients.length) return []
  const { rows } = await tenantQuery(t, (db) =>
    db.execute(sql`
      insert into agent_messages (tenant_id, recipient, sender, kind, topic, conversation_id, body)
      select ${t.tenantId}::uuid, r, ${e.sender}, 'event', ${e.topic}, ${e.conversationId ?? null},
             ${JSON.stringify(e.body ?? null)}::jsonb
        from jsonb_array_elements_text(${JSON.stringify(recipients)}::jsonb) as r
      returning id, recipient, created_at`),
  )
  return (rows as { id: string; recipient: string; created_at: string }[]).map((r) =>
    eventView(e, r.id, r.recipient, new Date(r.created_at)),
  )
}

/** An event as one recipient sees it. */
export function eventView(
  e: { sender: string; topic: string; conversationId?: string; body: unknown },
  id: string,
  recipient: string,
  createdAt = new Date(),
): MessageView {
  return {
    id,
    to: recipient,
    from: e.sender,
    kind: 'event',
    topic: e.topic,
    conversation_id: e.conversationId ?? null,
    reply_to: null,
    body: e.body,
    created_at: createdAt.toISOString(),
    deliveries: 0,
  }
}

/** Stores a direct message only if its recipient is a registered local agent: one statement. */
export async function insertForRegistered(t: Tenancy, m: NewMessage): Promise<MessageView | null> {
  const [row] = await tenantQuery(t, (db) =>
    db
      .insert(agentMessages)
      .select(
        db
          .select({
            tenantId: agents.tenantId,
            id: sql`gen_random_uuid()`.as('id'),
            recipient: agents.name,
            sender: sql`${m.sender}`.as('sender'),
            kind: sql`'direct'`.as('kind'),
            topic: sql`null`.as('topic'),
            conversationId: sql`${m.conversationId ?? null}`.as('conversation_id'),
            replyTo: sql`${m.replyTo ?? null}::uuid`.as('reply_to'),
            body: sql`${JSON.stringify(m.body)}::jsonb`.as('body'),
            createdAt: sql`now()`.as('created_at'),
            deliveries: sql`0`.as('deliveries'),
            lastDeliveredAt: sql`null`.as('last_delivered_at'),
            ackedAt: sql`null`.as('acked_at'),
          })
          .from(agents)
          .where(and(eq(agents.name, m.recipient), eq(agents.kind, 'local'))),
      )
      .returning(),
  )
  return row ? messageView(row) : null
}

/** Unacknowledged messages, oldest first; reading them counts as a delivery. */
export async function readInbox(
  t: Tenancy,
  /** One agent, or several at once (the bus's redelivery pass). */
  recipient: string | string[],
  /** `quietSeconds`: only messages not delivered (or sent) in that many seconds. */
  opts: { limit: number; quietSeconds?: number },
) {
  const rows = await tenantQuery(t, (db) =>
    db
      .update(agentMessages)
      .set({ deliveries: sql`${agentMessages.deliveries} + 1`, lastDeliveredAt: sql`now()` })
      .where(
        inArray(
          agentMessages.id,
          db
            .select({ id: agentMessages.id })
            .from(agentMessages)
            .where(
              and(
                typeof recipient === 'string'
                  ? eq(agentMessages.recipient, recipient)
                  : inArray(agentMessages.recipient, recipient),
                isNull(agentMessages.ackedAt),
                opts.quietSeconds === undefined
                  ? undefined
                  : lt(
                      sql`coalesce(${agentMessages.lastDeliveredAt}, ${agentMessages.createdAt})`,
                      sql`now() - make_interval(secs => ${opts.quietSeconds})`,
                    ),
              ),
            )
            .orderBy(asc(agentMessages.createdAt))
            .limit(opts.limit),
        ),
      )
      .returning(),
  )
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(messageView)
}

export async function ackMessages(t: Tenancy, recipient: string, ids: string[]): Promise<number> {
  if (!ids.length) return 0
  const rows = await tenantQuery(t, (db) =>
    db
      .update(agentMessages)
      .set({ ackedAt: sql`now()` })
      .where(
        and(
          eq(agentMessages.recipient, recipient),
          inArray(agentMessages.id, ids),
          isNull(agentMessages.ackedAt),
        ),
      )
      .returning({ id: agentMessages.id }),
  )
  return rows.length
}

/** A conversation's messages in order (every recipient's copy of an event counts once each). */
export async function conversationMessages(t: Tenancy, conversationId: string, limit: number) {
  const rows = await tenantQuery(t, (db) =>
    db
      .select()
      .from(agentMessages)
      .where(eq(agentMessages.conversationId, conversationId))
      .orderBy(asc(agentMessages.createdAt))
      .limit(limit),
  )
  return rows.map(messageView)
}
