/**
 * One line of agent output, made readable: tool events (the built-in executor's tool_use
 * lines, coding CLIs' JSON events) as a tool name, its input and its result; text as text.
 */

type Json = Record<string, unknown>

function parse(text: string): Json | undefined {
  const t = text.trim()
  if (!t.startsWith('{')) return undefined
  try {
    const v = JSON.parse(t)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
  } catch {
    return undefined
  }
}

const short = (v: unknown, n = 400) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v, null, 1)
  return s && s.length > n ? `${s.slice(0, n)}…` : (s ?? '')
}

interface Tool {
  tool: string
  status?: string
  input?: unknown
  output?: unknown
}

/** The tool call inside a JSON event line, if there is one. */
export function toolOf(j: Json): Tool | undefined {
  if (j.type === 'tool_use' && typeof j.tool === 'string') {
    const state = (j.state ?? {}) as Json
    return {
      tool: j.tool,
      status: state.status as string,
      input: state.input,
      output: state.output,
    }
  }
  if (j.type === 'tool_call' || j.type === 'tool_result') {
    return {
      tool: String(j.name ?? j.tool ?? j.type),
      input: j.input ?? j.args,
      output: j.output ?? j.content,
    }
  }
  // Claude's stream-json: an assistant message whose content holds tool_use blocks.
  const content = (j.message as Json | undefined)?.content
  if (Array.isArray(content)) {
    const use = content.find((c) => (c as Json).type === 'tool_use') as Json | undefined
    if (use) return { tool: String(use.name), input: use.input }
    const result = content.find((c) => (c as Json).type === 'tool_result') as Json | undefined
    if (result) return { tool: 'result', output: result.content }
    const text = content.find((c) => (c as Json).type === 'text') as Json | undefined
    if (text) return undefined
  }
  return undefined
}

function textOf(j: Json): string | undefined {
  if (typeof j.text === 'string') return j.text
  if (typeof j.result === 'string') return j.result
  const content = (j.message as Json | undefined)?.content
  if (Array.isArray(content)) {
    const texts = content.filter((c) => (c as Json).type === 'text').map((c) => (c as Json).text)
    if (texts.length) return texts.join('\n')
  }
  return undefined
}

export function OutputLine({ text }: { text: string }) {
  const j = parse(text)
  const tool = j && toolOf(j)
  if (tool) {
    return (
      <div class="tool">
        <span class="tool-name">⚙ {tool.tool}</span>
        {tool.status && <span class="muted"> {tool.status}</span>}
        {tool.input !== undefined && <pre class="tool-in">{short(tool.input)}</pre>}
        {tool.output !== undefined && tool.output !== null && (
          <pre class="tool-out">{short(tool.output, 800)}</pre>
        )}
      </div>
    )
  }
  const plain = j ? textOf(j) : undefined
  return <pre class="line">{plain ?? text}</pre>
}
