/**
 * The Directory: the agent bus for A2A and MCP clients that only speak messages. "list agents
 * [role]" discovers them; "ask <agent>: <message>" sends a direct message and returns the
 * reply; "tell <agent>: <message>" only delivers it; "publish <topic>: <text>" publishes.
 */
import { agentScope } from './agent-scope'
import { defineAgent, done, type EdgeAgent, failed, keywordHits } from './types'

const ASK_TIMEOUT_MS = 20_000
const HELP =
  'list agents [role]; ask <agent>: <message>; tell <agent>: <message>; publish <topic>: <text>'

export const directory: EdgeAgent = defineAgent({
  name: 'directory',
  title: 'Directory Agent',
  description: 'Finds agents and passes messages between them (the agent bus as a skill).',
  skills: [
    {
      id: 'agent_discovery',
      name: 'Agent discovery and messaging',
      description: HELP,
      tags: ['discovery', 'messaging', 'pubsub'],
      examples: ['list agents', 'ask calculator: add 2 and 3', 'publish build.done: all green'],
    },
  ],
  score: (text) =>
    /^\s*(list agents|ask \S+:|tell \S+:|publish \S+:)/i.test(text)
      ? 3
      : keywordHits(text, ['agents', 'discover']),
  async handle({ text }, { platform: ctx }) {
    const scope = agentScope(ctx, 'directory')
    const { listAgents, askAgent, sendMessage, publishEvent } = ctx.bus
    const t = text.trim()
    let m = /^list agents(?:\s+(\S+))?$/i.exec(t)
    if (m) {
      const agents = await listAgents(scope, { role: m[1] })
      const lines = agents.map((a) => `- ${a.name} (${a.kind}): ${a.description}`)
      return done(lines.join('\n') || 'No agents.', { agents })
    }
    m = /^(ask|tell) (\S+):\s*([\s\S]+)$/i.exec(t)
    if (m) {
      const [, verb, to, message] = m as unknown as [string, string, string, string]
      const out = { to, from: 'directory', body: { text: message } }
      if (verb.toLowerCase() === 'tell') {
        const sent = await sendMessage(scope, out)
        return done(`Delivered to ${to}'s inbox.`, { message_id: sent.id })
      }
      const { reply } = await askAgent(scope, out, ASK_TIMEOUT_MS)
      return reply
        ? done(reply.text, { from: reply.from })
        : failed(`${to} did not answer within ${ASK_TIMEOUT_MS / 1000} s.`)
    }
    m = /^publish (\S+):\s*([\s\S]*)$/i.exec(t)
    if (m) {
      const published = await publishEvent(scope, {
        from: 'directory',
        topic: m[1] as string,
        body: { text: m[2] },
      })
      const { id, recipients } = published
      return done(`Published to ${recipients.length} subscriber(s).`, { id, recipients })
    }
    return failed(`I understand: ${HELP}`)
  },
})
