import { z } from 'zod'
import { ackMessages, readInbox } from '../../../domain/bus/messages'
import { heartbeat, registerAgent } from '../../../domain/bus/registry'
import { delegateToRemote, registerRemoteAgent } from '../../../domain/bus/remote'
import {
  askAgent,
  publishEvent,
  senderOf,
  sendMessage,
  subscribeAgent,
} from '../../../domain/bus/service'
import { restTaskView } from '../../../domain/task-model/rest-view'
import { type Tool, tool } from '../tool'

const Name = z.string().min(1).max(200)
const from = Name.optional().describe('The sending agent (default: user:<your subject>)')

/** The agent bus as tools: the same calls as /v1/agents. */
export const agentTools: Tool[] = [
  tool({
    name: 'register_agent',
    description:
      'Register (or update) an agent by name, as role:instance; keep it listed with refresh_agent_heartbeat.',
    input: {
      name: Name,
      description: z.string().max(2000).default(''),
      url: z.url().max(2000).optional(),
      capabilities: z.record(z.string(), z.unknown()).optional(),
      models_supported: z.array(z.string().max(200)).max(200).optional(),
    },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({
      agent: await registerAgent(scope, { ...a, models: a.models_supported }),
    }),
  }),
  tool({
    name: 'refresh_agent_heartbeat',
    description: 'Keep a registered agent listed (agents unseen for 120 s leave listings).',
    input: { agent_name: Name },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({ agent: await heartbeat(scope, a.agent_name) }),
  }),
  tool({
    name: 'send_agent_message',
    description:
      "Send a direct message to an agent's durable inbox (delivered live when it listens).",
    input: {
      to: Name,
      message: z.string().min(1).max(100_000),
      from,
      conversation_id: z.string().max(200).optional(),
      reply_to: z.uuid().optional(),
    },
    mutates: true,
    permission: 'agents:write',
    run: async (ctx, a) => ({
      message: await sendMessage(ctx.scope, {
        to: a.to,
        from: senderOf(ctx.scope.principal, a.from),
        body: { text: a.message },
        conversationId: a.conversation_id,
        replyTo: a.reply_to,
      }),
    }),
  }),
  tool({
    name: 'ask_agent',
    description:
      'Send a message to an agent and wait for its reply (built-in, registered or remote).',
    input: {
      agent_name: Name,
      message: z.string().min(1).max(100_000),
      from,
      timeout_ms: z.number().int().min(100).max(60_000).default(15_000),
    },
    mutates: true,
    permission: 'agents:write',
    run: async (ctx, a) =>
      askAgent(
        ctx.scope,
        {
          to: a.agent_name,
          from: senderOf(ctx.scope.principal, a.from),
          body: { text: a.message },
        },
        a.timeout_ms,
      ),
  }),
  tool({
    name: 'read_inbox',
    description: "An agent's unacknowledged messages, oldest first; acknowledge with ack_messages.",
    input: { agent_name: Name, limit: z.number().int().min(1).max(500).default(50) },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({
      messages: await readInbox(scope, a.agent_name, { limit: a.limit }),
    }),
  }),
  tool({
    name: 'ack_messages',
    description: "Acknowledge messages in an agent's inbox so they are not delivered again.",
    input: { agent_name: Name, ids: z.array(z.uuid()).min(1).max(500) },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({
      acked: await ackMessages(scope, a.agent_name, a.ids),
    }),
  }),
  tool({
    name: 'publish_event',
    description: 'Publish an event on a topic (e.g. agent.coder.completed) to its subscribers.',
    input: { topic: z.string().min(1).max(300), data: z.unknown().optional(), from },
    mutates: true,
    permission: 'agents:write',
    run: async (ctx, a) =>
      publishEvent(ctx.scope, {
        from: senderOf(ctx.scope.principal, a.from),
        topic: a.topic,
        body: a.data ?? {},
      }),
  }),
  tool({
    name: 'subscribe_events',
    description: 'Subscribe a registered agent to a topic pattern (* one word, # the rest).',
    input: { agent_name: Name, pattern: z.string().min(1).max(300) },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({
      patterns: await subscribeAgent(scope, a.agent_name, a.pattern, true),
    }),
  }),
  tool({
    name: 'unsubscribe_events',
    description: 'Remove one of an agent’s topic subscriptions.',
    input: { agent_name: Name, pattern: z.string().min(1).max(300) },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({
      patterns: await subscribeAgent(scope, a.agent_name, a.pattern, false),
    }),
  }),
  tool({
    name: 'register_remote_agent',
    description: 'Register an A2A agent running elsewhere by its URL (its agent card is fetched).',
    input: { url: z.url().max(2000), name: Name.optional() },
    mutates: true,
    permission: 'agents:write',
    run: async ({ scope }, a) => ({ agent: await registerRemoteAgent(scope, a.url, a.name) }),
  }),
  tool({
    name: 'delegate_to_agent',
    description:
      'Delegate work to a remote A2A agent: a task here mirrors its task; follow it with get_task.',
    input: { agent_name: Name, message: z.string().min(1).max(100_000) },
    mutates: true,
    run: async ({ scope }, a) => ({
      task: restTaskView(await delegateToRemote(scope, a.agent_name, a.message)),
    }),
  }),
]
