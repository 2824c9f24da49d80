import { z } from 'zod'
import { listAgents } from '../../../domain/bus/registry'
import { listWorkers, onlineModels, workerView } from '../../../domain/queue/workers'
import { notFound } from '../../../lib/errors'
import { buildAgentCard, legacyCardJson } from '../../a2a/card'
import { inputJsonSchema } from '../schema'
import { type Tool, tool } from '../tool'

/** The agents a caller can reach: the registry (built-in, registered, remote) and workers online. */
async function agents(scope: Parameters<typeof listWorkers>[0]) {
  const [registered, workers] = await Promise.all([
    listAgents(scope),
    listWorkers(scope, { onlineOnly: true, hideAfterHours: 24 }),
  ])
  return [
    ...registered,
    ...workers.map((w) => ({ ...workerView(w), name: w.name, kind: 'worker' })),
  ]
}

const summary = (t: Tool) => ({ name: t.name, description: t.description })
const full = (t: Tool) => ({ ...summary(t), inputSchema: inputJsonSchema(t) })

export const platformTools = [
  tool({
    name: 'discover_agents',
    description:
      'The agents you can send to: built-in, registered (role:instance) and remote agents, and the workers online.',
    input: {},
    mutates: false,
    run: async ({ scope }) => ({ agents: await agents(scope) }),
  }),
  tool({
    name: 'get_agent',
    description: 'One agent by name (an agent of discover_agents or a worker name).',
    input: { agent_name: z.string().min(1).max(200) },
    mutates: false,
    async run({ scope }, a) {
      const found = (await agents(scope)).find((x) => x.name === a.agent_name)
      if (!found) throw notFound(`Agent ${a.agent_name}`)
      return found
    },
  }),
  tool({
    name: 'get_agent_card',
    description: "CodeTether's A2A agent card: its skills and interfaces.",
    input: {},
    mutates: false,
    run: async ({ scope, baseUrl }) => legacyCardJson(buildAgentCard(baseUrl, scope.config)),
  }),
  tool({
    name: 'list_models',
    description: 'Models the online workers offer, optionally by provider or a search string.',
    input: { provider: z.string().max(100).optional(), search: z.string().max(200).optional() },
    mutates: false,
    async run({ scope }, a) {
      const models = (await onlineModels(scope)).filter(
        (m) =>
          (!a.provider || m.id.startsWith(`${a.provider}/`) || m.id.startsWith(`${a.provider}:`)) &&
          (!a.search || m.id.toLowerCase().includes(a.search.toLowerCase())),
      )
      return { models }
    },
  }),
  tool({
    name: 'search_tools',
    description:
      'Find tools by a word in their name or description; detail_level name_only, summary or full (with schemas).',
    input: {
      query: z.string().max(200),
      detail_level: z.enum(['name_only', 'summary', 'full']).default('summary'),
    },
    mutates: false,
    async run({ tools }, a) {
      const q = a.query.toLowerCase()
      const hits = tools.filter((t) => `${t.name} ${t.description}`.toLowerCase().includes(q))
      if (a.detail_level === 'name_only') return { tools: hits.map((t) => t.name) }
      return { tools: hits.map(a.detail_level === 'full' ? full : summary) }
    },
  }),
  tool({
    name: 'get_tool_schema',
    description: 'The input schema of one tool.',
    input: { tool_name: z.string().min(1).max(200) },
    mutates: false,
    async run({ tools }, a) {
      const found = tools.find((t) => t.name === a.tool_name)
      if (!found) throw notFound(`Tool ${a.tool_name}`)
      return full(found)
    },
  }),
  tool({
    name: 'echo',
    description: 'Answers the message back: checks the connection.',
    input: { message: z.string().max(100_000) },
    mutates: false,
    run: async (_ctx, a) => ({ message: a.message }),
  }),
]
