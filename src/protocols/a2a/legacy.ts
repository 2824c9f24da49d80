/**
 * The seed's and upstream's older shapes on the v0.3 path, rewritten to the spec's before
 * validation: parts `{"type":"text","content":…}`, file parts with `url`, and a task named by
 * `taskId` (upstream's README: `tasks/get` with `{"taskId": …}`). Answers always use the spec's
 * shapes.
 */
function normalisePart(part: unknown): unknown {
  if (!part || typeof part !== 'object') return part
  let p = part as Record<string, unknown>
  if (p.kind === undefined && typeof p.type === 'string') {
    const { type, ...rest } = p
    p = { kind: type, ...rest }
  }
  if (p.kind === 'text' && p.text === undefined && typeof p.content === 'string') {
    const { content, ...rest } = p
    p = { ...rest, text: content }
  }
  if (p.kind === 'file' && p.file && typeof p.file === 'object') {
    const f = p.file as Record<string, unknown>
    if (f.uri === undefined && typeof f.url === 'string') p = { ...p, file: { ...f, uri: f.url } }
  }
  return p
}

/** The v0.3 methods whose params name one task by `id`. */
const BY_TASK_ID = new Set(['tasks/get', 'tasks/cancel', 'tasks/resubscribe'])

/** v0.3 request bodies: fills what old clients leave out (kind, role, messageId). */
export function normaliseLegacyRequest(body: Record<string, unknown>): void {
  const params = body.params as Record<string, unknown> | undefined
  if (
    params &&
    typeof params === 'object' &&
    BY_TASK_ID.has(String(body.method)) &&
    params.id === undefined &&
    typeof params.taskId === 'string'
  ) {
    const { taskId, ...rest } = params
    body.params = { ...rest, id: taskId }
    return
  }
  const message = params?.message as Record<string, unknown> | undefined
  if (!message || typeof message !== 'object') return
  if (Array.isArray(message.parts)) message.parts = message.parts.map(normalisePart)
  message.kind ??= 'message'
  message.role ??= 'user'
  message.messageId ??= crypto.randomUUID()
}
