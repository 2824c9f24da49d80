/**
 * The Gemini API's side of the fake LLM (llm-server.ts): `models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`, answered from the same script, in Gemini's own shapes, so
 * the AI SDK's Google provider parses them.
 */
import type { ServerResponse } from 'node:http'
import type { Answer } from './llm-server'

function candidate(answer: Answer) {
  const parts: Record<string, unknown>[] = []
  if (answer.turn.text) parts.push({ text: answer.turn.text })
  for (const call of answer.calls)
    parts.push({ functionCall: { name: call.name, args: JSON.parse(call.args) } })
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: answer.inputTokens,
      candidatesTokenCount: answer.outputTokens,
      totalTokenCount: answer.inputTokens + answer.outputTokens,
    },
    modelVersion: answer.model,
  }
}

/** The whole answer as one `GenerateContentResponse`. */
export const googleResponse = candidate

/** One SSE event per response chunk; a short answer is one chunk, as Gemini sends it. */
export function streamGoogle(res: ServerResponse, answer: Answer) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  res.end(`data: ${JSON.stringify(candidate(answer))}\r\n\r\n`)
}

/** The model named by a Gemini path (`/v1beta/models/gemini-x:streamGenerateContent`). */
export function googleCall(path: string): { model: string; stream: boolean } | undefined {
  const m = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path)
  return m ? { model: m[1] as string, stream: m[2] === 'streamGenerateContent' } : undefined
}
