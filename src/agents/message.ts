/** An agent's message (v1.0 JSON) with a text part and, optionally, a data part. */
export function agentMessage(
  text: string,
  data: Record<string, unknown> | undefined,
  taskId: string,
  contextId?: string,
) {
  const parts: Record<string, unknown>[] = [{ text }]
  if (data) parts.push({ data, mediaType: 'application/json' })
  return {
    messageId: crypto.randomUUID(),
    role: 'ROLE_AGENT',
    parts,
    taskId,
    ...(contextId ? { contextId } : {}),
  }
}
