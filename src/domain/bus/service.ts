/**
 * Agent messaging as REST, MCP and A2A all call it: direct messages (to local, built-in or
 * remote agents), requests that wait for the reply, events, subscriptions.
 */

import { bodyText } from '@codetether/agent-kit/wire'
import { edgeAgentNamed } from '../../agents/registry'
import type { Principal } from '../../auth/principal'
import { badRequest, notFound } from '../../lib/errors'
import { agentBusOf, replyBusOf, topicBusOf } from '../../lib/live-objects'
import type { Scope } from '../scope'
import type { MessageView } from './messages'
import { findAgent, requireAgent } from './registry'
import { callRemote } from './remote'
import { patternProblem, topicProblem } from './topics'

/** Who sends when no agent is named: the calling person (their replies wait in this inbox). */
export const senderOf = (p: Principal, from?: string) => from ?? `user:${p.subject}`

export interface Outgoing {
  to: string
  from: string
  body: unknown
  conversationId?: string
  replyTo?: string
}

/**
 * Into the recipient's inbox, then live. A remote agent is called over A2A instead, and its
 * answer lands in the sender's inbox as the reply.
 */
export async function sendMessage(scope: Scope, m: Outgoing): Promise<MessageView> {
  const busOf = (agent: string) => agentBusOf(scope.env, scope.tenantId, agent)
  const message = direct(m, m.to)
  // The common case in one round trip: a registered agent, checked by the insert itself.
  if (!edgeAgentNamed(m.to)) {
    const sent = (await busOf(m.to).sendToRegistered(message)) as MessageView | null
    if (sent) return sent
  }
  const to = await findAgent(scope, m.to)
  // A reply goes back to whoever asked, registered or not (a person, an A2A caller).
  if (!to && m.replyTo) return (await busOf(m.to).send(message)) as MessageView
  if (!to) throw notFound(`Agent ${m.to}`)
  if (to.kind !== 'remote') return (await busOf(to.name).send(direct(m, to.name))) as MessageView
  // Not stored: the remote agent has no inbox here. Its answer is, in the sender's.
  const id = crypto.randomUUID()
  const answer = await callRemote(scope, to.name, bodyText(m.body), m.conversationId)
  await busOf(m.from).send({
    recipient: m.from,
    sender: to.name,
    kind: 'direct',
    conversationId: m.conversationId ?? id,
    body: { text: answer.text, state: answer.state },
  })
  return {
    id,
    to: to.name,
    from: m.from,
    kind: 'direct',
    topic: null,
    conversation_id: m.conversationId ?? null,
    reply_to: m.replyTo ?? null,
    body: m.body,
    created_at: new Date().toISOString(),
    deliveries: 1,
  }
}

/** The stored form of a direct message. */
const direct = (m: Outgoing, recipient: string) => ({
  recipient,
  sender: m.from,
  kind: 'direct' as const,
  conversationId: m.conversationId,
  replyTo: m.replyTo,
  body: m.body,
})

/** Sends and waits up to `timeoutMs` for the reply; null when none came in time. */
export async function askAgent(
  scope: Scope,
  m: Outgoing,
  timeoutMs: number,
): Promise<{ sent: string | null; reply: { text: string; body: unknown; from: string } | null }> {
  const to = await requireAgent(scope, m.to)
  if (to.kind === 'remote') {
    const answer = await callRemote(scope, to.name, bodyText(m.body), m.conversationId)
    return { sent: null, reply: { text: answer.text, body: { text: answer.text }, from: to.name } }
  }
  // The RPC stub's types cannot express `body: unknown`; the object is the bus's MessageView.
  const id = crypto.randomUUID()
  const reply = (await replyBusOf(scope.env, scope.tenantId, id).request(
    { ...direct(m, to.name), id },
    timeoutMs,
  )) as MessageView | null
  return {
    sent: id,
    reply: reply && { text: bodyText(reply.body), body: reply.body, from: reply.from },
  }
}

export async function publishEvent(
  scope: Scope,
  e: { from: string; topic: string; body: unknown; conversationId?: string },
) {
  const problem = topicProblem(e.topic)
  if (problem) throw badRequest(`topic: ${problem}`)
  return topicBusOf(scope.env, scope.tenantId).publish({
    sender: e.from,
    topic: e.topic,
    body: e.body,
    conversationId: e.conversationId,
  })
}

export async function subscribeAgent(scope: Scope, agent: string, pattern: string, on: boolean) {
  const problem = patternProblem(pattern)
  if (problem) throw badRequest(`pattern: ${problem}`)
  const found = await requireAgent(scope, agent)
  if (found.kind !== 'local') throw notFound(`Registered agent ${agent}`)
  return topicBusOf(scope.env, scope.tenantId).subscribe(agent, pattern, on)
}
