/**
 * An agent's message (v1.0 JSON) with a text part and, optionally, a data part; without a
 * task when an agent answers with a message alone.
 */
export function agentMessage(
  text: string,
  data: Record<string, unknown> | undefined,
  taskId: string | undefined,
  contextId?: string,
) {
  const parts: Record<string, unknown>[] = [{ text }]
  if (data) parts.push({ data, mediaType: 'application/json' })
  return {
    messageId: crypto.randomUUID(),
    role: 'ROLE_AGENT',
    parts,
    ...(taskId ? { taskId } : {}),
    ...(contextId ? { contextId } : {}),
  }
}

/** A person's text as an A2A v1.0 message, for a request that came without one (REST, MCP). */
export const userMessageJson = (text: string) => ({
  messageId: crypto.randomUUID(),
  role: 'ROLE_USER',
  parts: [{ text }],
})
