/**
 * The Coordinator: answers by planning with an LLM (COORDINATOR_MODEL, e.g. openai/gpt-4.1,
 * keys from the Worker's secrets) whose tools are the tenant's agents (built-in, registered,
 * remote) and the tools of the MCP servers in MCP_SERVER_URLS.
 */

import { languageModel } from '@codetether/agent-kit/providers'
import { tokensOf } from '@codetether/agent-kit/usage'
import { generateText, stepCountIs, type ToolSet, tool } from 'ai'
import { z } from 'zod'
import type { Principal } from '../auth/principal'
import type { Scope } from '../domain/scope'
import { assertWithinLimit } from '../domain/usage/budget'
import { recordUsage } from '../domain/usage/ledger'
import type { Env } from '../env'
import { log } from '../lib/log'
import { agentScope } from './agent-scope'
import { mcpToolSet } from './coordinator-mcp'
import { defineAgent, done, type EdgeAgent, failed, keywordHits, type PlatformBus } from './types'

const MAX_STEPS = 8
const ASK_TIMEOUT_MS = 20_000

function agentTools(
  bus: PlatformBus,
  scope: Scope,
  caller: Principal,
  progress: (text: string) => Promise<void>,
): ToolSet {
  return {
    list_agents: tool({
      description: 'The agents you can call: name, kind, description.',
      inputSchema: z.object({}),
      execute: async () =>
        (await bus.listAgents(scope))
          .filter((a) => a.name !== 'coordinator')
          .map((a) => ({ name: a.name, kind: a.kind, description: a.description })),
    }),
    call_agent: tool({
      description: 'Send a message to one agent by name and get its answer.',
      inputSchema: z.object({ name: z.string(), message: z.string() }),
      execute: async ({ name, message }) => {
        await progress(`Asking ${name}: ${message}`)
        if (name === 'coordinator') return 'The coordinator cannot call itself.'
        // For the person who asked, as if they had asked it: a built-in agent hands out
        // things in their name (a LiveKit identity) and checks their permissions.
        const asCaller = { ...scope, principal: caller }
        const builtin = await bus.askBuiltin(asCaller, name, message, 'coordinator')
        if (builtin !== undefined) return builtin
        const found = (await bus.listAgents(scope)).find((a) => a.name === name)
        if (!found) return `There is no agent named ${name}.`
        if (found.kind === 'remote') return (await bus.callRemote(scope, name, message)).text
        const { reply } = await bus.askAgent(
          scope,
          { to: name, from: 'coordinator', body: { text: message } },
          ASK_TIMEOUT_MS,
        )
        return reply?.text ?? `${name} did not answer within ${ASK_TIMEOUT_MS / 1000} s.`
      },
    }),
  }
}

/** The Worker's string bindings, where provider keys and base URLs live. */
const stringsOf = (env: Env) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >

export const coordinator: EdgeAgent = defineAgent({
  name: 'coordinator',
  title: 'Coordinator Agent',
  description: 'Plans with an LLM and delegates to the other agents and to MCP tools.',
  skills: [
    {
      id: 'coordinator',
      name: 'Coordination',
      description: 'Breaks a request down and calls the right agents and tools for it.',
      tags: ['coordination', 'planning', 'delegation', 'llm'],
      examples: ['Ask the calculator for 12 * 12 and tell me if it is a square number'],
    },
  ],
  score: (text) => keywordHits(text, ['coordinate', 'delegate', 'orchestrate']),
  async handle({ text, history }, { platform: ctx, progress }) {
    const ref = ctx.config.COORDINATOR_MODEL
    if (!ref) {
      return failed(
        'The coordinator has no model: set COORDINATOR_MODEL (e.g. openai/gpt-4.1) and the provider key (e.g. OPENAI_API_KEY).',
      )
    }
    const scope = agentScope(ctx, 'coordinator')
    const refused = await assertWithinLimit(scope).catch((err: Error) => err.message)
    if (refused) return failed(refused)
    const mcp = await mcpToolSet(ctx.config)
    try {
      const result = await generateText({
        model: languageModel(ref, stringsOf(ctx.env)),
        system:
          'You are the coordinator of a team of agents. Use list_agents to see who can help, call_agent to ask them, and the other tools when they fit. Answer the user briefly with the result.',
        prompt: [...history, text].join('\n\n'),
        tools: { ...agentTools(ctx.bus, scope, ctx.principal, progress), ...mcp.tools },
        stopWhen: stepCountIs(MAX_STEPS),
      })
      const [provider = '', model = ''] = ref.split(/[/:](.*)/s)
      const t = tokensOf(result.totalUsage)
      await recordUsage(
        scope,
        [
          {
            provider,
            model,
            input: t.input,
            output: t.output,
            reasoning: t.reasoning,
            cache_read: t.cache.read,
            cache_write: t.cache.write,
            messageId: `coordinator:${crypto.randomUUID()}`,
          },
        ],
        { reportedBy: 'agent:coordinator' },
      )
      const calls = result.steps.flatMap((s) => s.toolCalls.map((c) => c.toolName))
      return done(result.text, { tool_calls: calls, steps: result.steps.length })
    } catch (err) {
      log.warn('coordinator failed', { error: err as Error })
      return failed(`The coordinator could not finish: ${(err as Error).message}`)
    } finally {
      await mcp.close()
    }
  },
})
