/** The OpenAI-compatible side of the fake LLM (llm-server.ts): chat completions, streamed or whole. */
import type { ServerResponse } from 'node:http'
import type { Answer } from './llm-server'
import { pieces, sseHeaders } from './llm-sse'

function openAiUsage(answer: Answer) {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
  }
}

function openAiFinish(answer: Answer) {
  return answer.calls.length > 0 ? 'tool_calls' : 'stop'
}

/** `chat.completion.chunk` events: role, content deltas, tool-call deltas, finish, usage, [DONE]. */
export function streamOpenAi(res: ServerResponse, answer: Answer) {
  sseHeaders(res)
  const created = Math.floor(Date.now() / 1000)
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => {
    const event = { id: answer.id, object: 'chat.completion.chunk', created, model: answer.model }
    res.write(
      `data: ${JSON.stringify({ ...event, system_fingerprint: null, choices, ...extra })}\n\n`,
    )
  }
  const delta = (value: Record<string, unknown>) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: null }])

  delta({ role: 'assistant', content: '', refusal: null })
  const text = answer.turn.text ?? ''
  if (text !== '') for (const piece of pieces(text)) delta({ content: piece })
  answer.calls.forEach((call, index) => {
    delta({
      tool_calls: [
        { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
      ],
    })
    for (const piece of pieces(call.args)) {
      delta({ tool_calls: [{ index, function: { arguments: piece } }] })
    }
  })
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: openAiFinish(answer) }])
  chunk([], { usage: openAiUsage(answer) })
  res.end('data: [DONE]\n\n')
}

export function openAiCompletion(answer: Answer) {
  const toolCalls = answer.calls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.args },
  }))
  return {
    id: answer.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.turn.text ?? null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: openAiFinish(answer),
      },
    ],
    usage: openAiUsage(answer),
  }
}
