/**
 * Agents of the edge app on the bus: a message to one (or an event on `message.to.<name>`) is
 * answered with a direct reply to its sender, and an `agent.<name>.completed|failed` event
 * (and the agent's own `announces` event, when it has one).
 */
import { bodyText } from '@codetether/agent-kit/wire'
import { runEdgeAgent } from '../../agents/edge-context'
import { edgeAgentNamed } from '../../agents/registry'
import type { Scope } from '../scope'
import { conversationMessages, type MessageView, type NewMessage } from './messages'

export async function answerAsEdgeAgent(
  scope: Scope,
  agentId: string,
  msg: MessageView,
): Promise<NewMessage[]> {
  const agent = edgeAgentNamed(agentId)
  if (!agent) return []
  const earlier = msg.conversation_id
    ? (await conversationMessages(scope, msg.conversation_id, 50))
        .filter((m) => m.id !== msg.id && m.kind === 'direct')
        .map((m) => bodyText(m.body))
    : []
  const reply = await runEdgeAgent(scope, agent, {
    text: bodyText(msg.body),
    data: msg.body,
    from: msg.from,
    conversationId: msg.conversation_id ?? undefined,
    history: earlier,
  })
  const conversationId = msg.conversation_id ?? msg.id
  const outcome = reply.state === 'failed' ? 'failed' : 'completed'
  const announced: NewMessage[] =
    agent.announces && reply.state === 'completed'
      ? [
          {
            recipient: '',
            sender: agent.name,
            kind: 'event',
            topic: `agent.${agent.name}.${agent.announces}`,
            conversationId,
            body: { ...reply.data, text: reply.text, request_id: msg.id, from: msg.from },
          },
        ]
      : []
  return [
    {
      recipient: msg.from,
      sender: agent.name,
      kind: 'direct',
      conversationId,
      replyTo: msg.kind === 'direct' ? msg.id : undefined,
      body: { text: reply.text, ...(reply.data ? { data: reply.data } : {}), state: reply.state },
    },
    {
      recipient: '',
      sender: agent.name,
      kind: 'event',
      topic: `agent.${agent.name}.${outcome}`,
      conversationId,
      body: { request_id: msg.id, from: msg.from, text: reply.text },
    },
    ...announced,
  ]
}
