/**
 * Readers of the JSON event lines coding-agent CLIs print, each reduced to what an executor needs:
 * the session to resume later, the final answer, and whether the CLI itself reported a failure.
 */

export interface CliEvents {
  /** Takes one stdout line; lines that are not JSON objects are ignored. */
  feed(line: string): void
  sessionId(): string | undefined
  answer(): string | undefined
  /** Set when the stream reported a failure, even if the process then exited 0. */
  error(): string | undefined
}

type Json = Record<string, unknown>

export function parseJsonLine(line: string): Json | undefined {
  const trimmed = line.trim()
  if (!trimmed.startsWith('{')) return undefined
  try {
    const value: unknown = JSON.parse(trimmed)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {}
}

function reader(onEvent: (event: Json) => void, state: State): CliEvents {
  return {
    feed(line) {
      const event = parseJsonLine(line)
      if (event) onEvent(event)
    },
    sessionId: () => state.sessionId,
    answer: () => state.answer,
    error: () => state.error,
  }
}

interface State {
  sessionId?: string
  answer?: string
  error?: string
}

/**
 * `claude -p --output-format stream-json --verbose`: `system`/`init`, `assistant` and `user`
 * messages, then one `result` carrying the answer, `is_error` and a `subtype` such as
 * `success`, `error_max_turns` or `error_during_execution`.
 */
export function claudeEvents(): CliEvents {
  const state: State = {}
  return reader((event) => {
    state.sessionId = str(event.session_id) ?? state.sessionId
    if (event.type !== 'result') return
    const subtype = str(event.subtype)
    if (event.is_error === true || (subtype !== undefined && subtype !== 'success')) {
      const errors = Array.isArray(event.errors) ? event.errors.map(String).join('; ') : undefined
      state.error = str(event.result) ?? str(errors) ?? subtype ?? 'claude reported an error'
    } else {
      state.answer = typeof event.result === 'string' ? event.result : ''
    }
  }, state)
}

/**
 * `codex exec --json`: `thread.started`, `turn.*` and `item.*` events, the answer being the last
 * `agent_message` item. Releases before the thread/item protocol printed `{id, msg}` envelopes
 * (or bare `msg` objects) with `session_configured`, `agent_message` and `task_complete`.
 */
export function codexEvents(): CliEvents {
  const state: State = {}
  // A stream `error` is sometimes only a retry notice; it counts when no turn completes after it.
  let pendingError: string | undefined
  const reading = reader((raw) => {
    const event = isObject(raw.msg) ? raw.msg : raw
    switch (event.type) {
      case 'thread.started':
        state.sessionId = str(event.thread_id) ?? state.sessionId
        break
      case 'session_configured':
        state.sessionId = str(event.session_id) ?? state.sessionId
        break
      case 'item.completed': {
        const item = obj(event.item)
        if (item.type === 'agent_message' && typeof item.text === 'string') state.answer = item.text
        break
      }
      case 'agent_message':
        if (typeof event.message === 'string') state.answer = event.message
        break
      case 'task_complete':
        state.answer = str(event.last_agent_message) ?? state.answer
        pendingError = undefined
        break
      case 'turn.completed':
        pendingError = undefined
        break
      case 'turn.failed':
        state.error = str(obj(event.error).message) ?? 'codex turn failed'
        break
      case 'error':
        pendingError = str(event.message) ?? 'codex reported an error'
        break
    }
  }, state)
  return { ...reading, error: () => state.error ?? pendingError }
}

/**
 * `opencode run --format json`: `step_start`, `text`, `tool_use`, `reasoning`, `step_finish` and
 * `error` events, each with the `sessionID`. A run is a series of steps (one model call each);
 * the answer is the text of the last step that said something.
 */
export function opencodeEvents(): CliEvents {
  const state: State = {}
  let step: string[] = []
  let lastSaid: string[] = []
  const reading = reader((event) => {
    state.sessionId = str(event.sessionID) ?? state.sessionId
    const part = obj(event.part)
    switch (event.type) {
      case 'step_start':
        if (step.length > 0) lastSaid = step
        step = []
        break
      case 'text':
        if (typeof part.text === 'string' && part.text !== '') step.push(part.text)
        break
      case 'error': {
        const error = obj(event.error)
        state.error =
          str(obj(error.data).message) ?? str(error.message) ?? str(error.name) ?? 'error'
        break
      }
    }
  }, state)
  return {
    ...reading,
    answer: () => {
      const said = step.length > 0 ? step : lastSaid
      return said.length > 0 ? said.join('\n') : undefined
    },
  }
}

/** aider has no JSON output: its answer is everything it printed. */
export function plainTextEvents(): CliEvents {
  const lines: string[] = []
  return {
    feed: (line) => void lines.push(line),
    sessionId: () => undefined,
    answer: () => lines.join('\n').trim(),
    error: () => undefined,
  }
}
