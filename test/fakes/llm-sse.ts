/** What the fake LLM's providers share when they stream (llm-server.ts and its wire modules). */
import type { ServerResponse } from 'node:http'

/** Cuts a string into up to `count` pieces, as a real stream delivers it in several deltas. */
export function pieces(text: string, count = 3): string[] {
  if (text.length <= 1) return [text]
  const size = Math.ceil(text.length / count)
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

export function sseHeaders(res: ServerResponse) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
}
