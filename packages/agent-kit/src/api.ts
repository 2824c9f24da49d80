/**
 * Write an agent once, run it inside CodeTether's edge app or as a process anywhere
 * (`codetether agent run ./my-agent.ts`). An agent has a name, a description, skills and a
 * handler of incoming messages; the handler's context reaches other agents (send, tell),
 * events (publish, subscribe), and the tools of configured MCP servers.
 *
 * ```ts
 * import { defineAgent } from '@codetether/agent-worker/agent'
 * export default defineAgent({
 *   name: 'greeter',
 *   description: 'Says hello',
 *   handle: (msg) => `Hello, ${msg.text}!`,
 * })
 * ```
 */

export interface AgentSkill {
  id: string
  name: string
  description: string
  tags?: string[]
  examples?: string[]
}

/** A message for the agent: from A2A, another agent, MCP, or an event it subscribed to. */
export interface IncomingMessage {
  text: string
  /** The structured body, when the sender sent one. */
  data?: unknown
  /** The sending agent (or `user:<subject>`, `a2a`). */
  from: string
  conversationId?: string
  /** Earlier messages of the same conversation, oldest first. */
  history: string[]
}

/** What the agent answers: done, waiting for the sender's input, or failed. */
export interface Answer {
  state: 'completed' | 'input-required' | 'failed'
  text: string
  data?: Record<string, unknown>
}
export type Reply = string | Answer

export interface McpAccess {
  /** The tools of the configured MCP servers. */
  tools(): Promise<{ name: string; description?: string; inputSchema?: unknown }[]>
  /** Calls one; its structured result, else its content. */
  call(name: string, args: Record<string, unknown>): Promise<unknown>
}

export type EventHandler = (data: unknown, event: { topic: string; from: string }) => unknown

export interface AgentContext<Platform = unknown> {
  /** This agent's name on the bus. */
  agent: string
  /** A direct message to another agent; resolves with its reply (rejects after the timeout). */
  send(agent: string, message: string, opts?: { timeoutMs?: number }): Promise<string>
  /** A direct message without waiting for a reply. */
  tell(agent: string, message: string): Promise<void>
  /** Publishes `agent.<this agent>.<eventType>`, as the seed's agents did. */
  publish(eventType: string, data: unknown): Promise<void>
  /** Calls `handler` for `agent.<agent>.<eventType>` events (`*` for any agent or type). */
  subscribe(agent: string, eventType: string, handler: EventHandler): Promise<void>
  unsubscribe(agent: string, eventType: string): Promise<void>
  /** Progress while handling (streamed to an A2A caller that streams). */
  progress(text: string): Promise<void>
  mcp: McpAccess
  /** What the place it runs in offers beyond this API (the edge app: its database). */
  platform: Platform
}

export interface AgentDefinition<Platform = unknown> {
  /** Its name on the bus and its default skill id: letters, digits, - and _. */
  name: string
  /** A display name ("Calculator Agent"). */
  title?: string
  description: string
  skills?: AgentSkill[]
  /** How strongly a message without an explicit agent asks for this one (0: not at all). */
  score?(text: string): number
  /** How long a message may take before it fails (default 30 s). */
  timeoutMs?: number
  /**
   * An event it publishes, as `agent.<name>.<announces>` with its answer's data, each time it
   * answers a message on the bus (the calculator's `calculation.complete`), beside the
   * `agent.<name>.completed` every agent's answer makes.
   */
  announces?: string
  /** Runs once where the agent starts: subscribe to events here. */
  setup?(ctx: AgentContext<Platform>): Promise<void> | void
  handle(message: IncomingMessage, ctx: AgentContext<Platform>): Promise<Reply> | Reply
}

export function defineAgent<Platform = unknown>(
  def: AgentDefinition<Platform>,
): AgentDefinition<Platform> {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(def.name)) {
    throw new Error(`Agent name ${def.name} must be letters, digits, - and _`)
  }
  return def
}

export const answer = (text: string, data?: Record<string, unknown>): Answer => ({
  state: 'completed',
  text,
  ...(data ? { data } : {}),
})
export const needsInput = (question: string): Answer => ({
  state: 'input-required',
  text: question,
})
export const fail = (text: string): Answer => ({ state: 'failed', text })

export function skillsOf(def: AgentDefinition<never> | AgentDefinition<unknown>): AgentSkill[] {
  return (
    def.skills ?? [
      {
        id: def.name,
        name: def.title ?? def.name,
        description: def.description,
        tags: [],
        examples: [],
      },
    ]
  )
}

export const DEFAULT_TIMEOUT_MS = 30_000

/**
 * Runs the handler for one message: a reply as an Answer, a throw as a failed Answer with
 * the error's message (never its stack), a handler that hangs cut off after the timeout.
 */
export async function runAgent<P>(
  def: AgentDefinition<P>,
  message: IncomingMessage,
  ctx: AgentContext<P>,
  timeoutMs = def.timeoutMs ?? DEFAULT_TIMEOUT_MS,
): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<Answer>((resolve) => {
    timer = setTimeout(
      () => resolve(fail(`${def.name} did not answer within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    )
  })
  try {
    const reply = await Promise.race([
      Promise.resolve().then(() => def.handle(message, ctx)),
      timedOut,
    ])
    return typeof reply === 'string' ? answer(reply) : reply
  } catch (err) {
    return fail(`${def.name} failed: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

/** Counts how many of `words` occur in `text` as whole words (for `score`). */
export function keywordHits(text: string, words: string[]): number {
  const lower = text.toLowerCase()
  return words.filter((w) => new RegExp(`\\b${w}\\b`).test(lower)).length
}

/** `agent.<agent>.<eventType>` with `*` as a wildcard word. */
export const topicFor = (agent: string, eventType: string) => `agent.${agent}.${eventType}`
