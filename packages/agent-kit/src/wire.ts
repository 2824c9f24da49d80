/** How the agent bus carries things, shared by the server and `codetether agent run`. */

/** The text of a message body: a string, `{text}`, or the JSON of anything else. */
export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body
  if (body && typeof body === 'object' && typeof (body as { text?: unknown }).text === 'string') {
    return (body as { text: string }).text
  }
  return JSON.stringify(body)
}

/**
 * Whether a topic (dot-separated words) matches a subscription pattern: `*` is exactly one
 * word, `#` (last) any number of words.
 */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.')
  const t = topic.split('.')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true
    if (i >= t.length) return false
    if (p[i] !== '*' && p[i] !== t[i]) return false
  }
  return p.length === t.length
}
