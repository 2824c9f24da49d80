/** Anthropic's side of the fake LLM (llm-server.ts): the Messages API, streamed or whole. */
import type { ServerResponse } from 'node:http'
import type { Answer } from './llm-server'
import { pieces, sseHeaders } from './llm-sse'

function anthropicStop(answer: Answer) {
  return answer.calls.length > 0 ? 'tool_use' : 'end_turn'
}

function anthropicContent(answer: Answer) {
  const blocks: Record<string, unknown>[] = []
  if (answer.turn.text) blocks.push({ type: 'text', text: answer.turn.text })
  for (const call of answer.calls) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.args) })
  }
  return blocks
}

/**
 * Messages stream events: message_start, ping, per block content_block_start / _delta
 * (text_delta, input_json_delta) / _stop, message_delta with the stop reason, message_stop.
 */
export function streamAnthropic(res: ServerResponse, answer: Answer) {
  sseHeaders(res)
  const send = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)

  send('message_start', {
    message: {
      id: answer.id,
      type: 'message',
      role: 'assistant',
      model: answer.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: answer.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    },
  })
  send('ping', {})
  let index = 0
  const text = answer.turn.text ?? ''
  if (text !== '') {
    send('content_block_start', { index, content_block: { type: 'text', text: '' } })
    for (const piece of pieces(text)) {
      send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } })
    }
    send('content_block_stop', { index })
    index++
  }
  for (const call of answer.calls) {
    send('content_block_start', {
      index,
      content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
    })
    // The API opens every tool input with an empty partial_json before the real pieces.
    for (const piece of ['', ...pieces(call.args)]) {
      send('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: piece },
      })
    }
    send('content_block_stop', { index })
    index++
  }
  send('message_delta', {
    delta: { stop_reason: anthropicStop(answer), stop_sequence: null },
    usage: { output_tokens: answer.outputTokens },
  })
  send('message_stop', {})
  res.end()
}

export function anthropicMessage(answer: Answer) {
  return {
    id: answer.id,
    type: 'message',
    role: 'assistant',
    model: answer.model,
    content: anthropicContent(answer),
    stop_reason: anthropicStop(answer),
    stop_sequence: null,
    usage: {
      input_tokens: answer.inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: answer.outputTokens,
    },
  }
}
