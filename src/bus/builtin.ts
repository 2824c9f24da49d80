/**
 * Built-in agents on the bus: a message to one (or an event on `message.to.<id>`) is answered
 * with a direct reply to its sender, and an `agent.<id>.completed|failed` event.
 */
import { builtinAgents } from '../agents/registry'
import type { Scope } from '../tasks/scope'
import { conversationMessages, type MessageView, type NewMessage } from './messages'

/** The text of a message body: a string, `{text}`, or the JSON of anything else. */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body
  if (body && typeof body === 'object' && typeof (body as { text?: unknown }).text === 'string') {
    return (body as { text: string }).text
  }
  return JSON.stringify(body)
}

export async function answerAsBuiltin(
  scope: Scope,
  agentId: string,
  msg: MessageView,
): Promise<NewMessage[]> {
  const agent = builtinAgents.find((a) => a.id === agentId)
  if (!agent) return []
  const earlier = msg.conversation_id
    ? (await conversationMessages(scope.db, scope.tenantId, msg.conversation_id, 50))
        .filter((m) => m.id !== msg.id && m.kind === 'direct')
        .map((m) => bodyText(m.body))
    : []
  const reply = await agent.handle(bodyText(msg.body), {
    tenantId: scope.tenantId,
    db: scope.db,
    env: scope.env,
    config: scope.config,
    history: earlier,
  })
  const conversationId = msg.conversation_id ?? msg.id
  const outcome = reply.state === 'failed' ? 'failed' : 'completed'
  return [
    {
      recipient: msg.from,
      sender: agent.id,
      kind: 'direct',
      conversationId,
      replyTo: msg.kind === 'direct' ? msg.id : undefined,
      body: { text: reply.text, ...(reply.data ? { data: reply.data } : {}), state: reply.state },
    },
    {
      recipient: '',
      sender: agent.id,
      kind: 'event',
      topic: `agent.${agent.id}.${outcome}`,
      conversationId,
      body: { request_id: msg.id, from: msg.from, text: reply.text },
    },
  ]
}
