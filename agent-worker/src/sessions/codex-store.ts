/**
 * Codex's sessions: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl` (CODEX_HOME is
 * ~/.codex by default), one `{timestamp, type, payload}` per line: `session_meta` first (the
 * session's id and cwd), then `response_item` messages, `turn_context` (the model) and
 * `event_msg` events, among them `token_count` after each model response.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { jsonLines } from './jsonl.js'
import type { MessageRecord, SessionRecord, SessionStore } from './types.js'

interface Line {
  timestamp?: string
  type?: string
  payload?: {
    type?: string
    id?: string
    cwd?: string
    timestamp?: string
    role?: string
    model?: string
    content?: { type?: string; text?: string }[]
    info?: { last_token_usage?: Usage } | null
  }
}
interface Usage {
  input_tokens?: number
  cached_input_tokens?: number
  output_tokens?: number
  reasoning_output_tokens?: number
}

const lines = (file: string) => jsonLines<Line>(file)

/** What Codex adds to every conversation before the user's words: not a message of theirs. */
const CONTEXT = /^\s*<(environment_context|user_instructions|permissions instructions)>/

/** Every rollout file, newest day first (the directories are dates). */
function rollouts(root: string): string[] {
  const dir = join(root, 'sessions')
  if (!existsSync(dir)) return []
  const files: string[] = []
  const walk = (d: string, depth: number) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort().reverse()) {
      const p = join(d, e.name)
      if (e.isDirectory() && depth < 3) walk(p, depth + 1)
      else if (e.isFile() && /^rollout-.*\.jsonl$/.test(e.name)) files.push(p)
    }
  }
  walk(dir, 0)
  return files
}

function messagesOf(file: string): MessageRecord[] {
  const out: MessageRecord[] = []
  let model: string | undefined
  for (const [i, l] of lines(file).entries()) {
    const p = l.payload
    if (!p) continue
    if (l.type === 'turn_context' && p.model) model = `openai/${p.model}`
    if (l.type === 'response_item' && p.type === 'message') {
      if (p.role !== 'user' && p.role !== 'assistant') continue
      const text = (p.content ?? []).map((c) => c.text ?? '').join('\n')
      if (!text || CONTEXT.test(text)) continue
      out.push({
        id: `codex-${i}`,
        role: p.role,
        content: text,
        created_at: l.timestamp ? Date.parse(l.timestamp) : undefined,
        ...(p.role === 'assistant' && model ? { model } : {}),
      })
    }
    // The usage of the response just recorded: on the last assistant message.
    const u = l.type === 'event_msg' && p.type === 'token_count' ? p.info?.last_token_usage : null
    const last = out.at(-1)
    if (u && last?.role === 'assistant' && !last.tokens) {
      const cached = u.cached_input_tokens ?? 0
      last.tokens = {
        input: Math.max(0, (u.input_tokens ?? 0) - cached),
        output: u.output_tokens ?? 0,
        reasoning: u.reasoning_output_tokens ?? 0,
        cache: { read: cached, write: 0 },
      }
    }
  }
  return out
}

/** Where Codex keeps its login and sessions: CODEX_HOME, else ~/.codex. */
export const codexHome = (env: NodeJS.ProcessEnv) =>
  env.CODEX_HOME ?? join(env.HOME ?? homedir(), '.codex')

export function codexStore(env: NodeJS.ProcessEnv): SessionStore {
  const root = codexHome(env)
  // A rollout's session and directory never change: read once per file.
  const meta = new Map<string, { id: string; cwd: string; created: number } | null>()
  const metaOf = (file: string) => {
    if (!meta.has(file)) {
      const first = lines(file).find((l) => l.type === 'session_meta')?.payload
      meta.set(
        file,
        first?.id && first.cwd
          ? { id: first.id, cwd: first.cwd, created: Date.parse(first.timestamp ?? '') || 0 }
          : null,
      )
    }
    return meta.get(file)
  }
  const fileOf = new Map<string, string>()
  // The title (the first question) read again only when the rollout changed: a pass runs every
  // two seconds while a task runs, over every rollout of the machine.
  const titles = new Map<string, { at: number; title: string }>()
  const titleOf = (file: string, at: number) => {
    const known = titles.get(file)
    if (known?.at === at) return known.title
    const title = (messagesOf(file).find((x) => x.role === 'user')?.content ?? '').slice(0, 200)
    titles.set(file, { at, title })
    return title
  }
  return {
    name: 'codex',
    list(codebasePath) {
      const found: { session: SessionRecord; changedAt: number }[] = []
      for (const file of rollouts(root)) {
        const m = metaOf(file)
        if (!m || m.cwd !== codebasePath) continue
        fileOf.set(m.id, file)
        const changedAt = statSync(file).mtimeMs
        const updated = Math.floor(changedAt) // the server takes whole milliseconds
        found.push({
          session: {
            id: m.id,
            agent: 'codex',
            directory: codebasePath,
            title: titleOf(file, changedAt),
            created_at: m.created || updated,
            updated_at: updated,
          },
          changedAt,
        })
      }
      return found
    },
    messages(codebasePath, id) {
      const file = fileOf.get(id)
      return file && existsSync(file) && metaOf(file)?.cwd === codebasePath ? messagesOf(file) : []
    },
  }
}
