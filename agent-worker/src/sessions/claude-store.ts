/**
 * Claude Code's sessions: `~/.claude/projects/<cwd with every non-alphanumeric character as
 * '-'>/<session id>.jsonl`, one event per line. An assistant message is written once per
 * content block, all with the same message id and usage: it is counted once.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { jsonLines } from './jsonl.js'
import type { MessageRecord, SessionStore } from './types.js'

const projectDir = (home: string, cwd: string) =>
  join(home, '.claude', 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'))

interface Line {
  type?: string
  uuid?: string
  timestamp?: string
  message?: {
    id?: string
    role?: string
    model?: string
    content?: unknown
    usage?: {
      input_tokens?: number
      output_tokens?: number
      cache_read_input_tokens?: number
      cache_creation_input_tokens?: number
    }
  }
}

const lines = (file: string) => jsonLines<Line>(file)

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content
          .map((b: { type?: string; text?: string; name?: string }) =>
            b.type === 'text' ? b.text : b.type === 'tool_use' ? `[tool_use: ${b.name}]` : '',
          )
          .filter(Boolean)
          .join('\n')
      : ''

function messagesOf(file: string): MessageRecord[] {
  const out = new Map<string, MessageRecord>()
  for (const l of lines(file)) {
    if ((l.type !== 'user' && l.type !== 'assistant') || !l.message) continue
    const assistant = l.type === 'assistant'
    const id = (assistant ? l.message.id : l.uuid) ?? l.uuid
    if (!id) continue
    const text = textOf(l.message.content)
    const earlier = out.get(id)
    const u = l.message.usage
    out.set(id, {
      id,
      role: assistant ? 'assistant' : 'user',
      content: [earlier?.content, text].filter(Boolean).join('\n'),
      created_at: earlier?.created_at ?? (l.timestamp ? Date.parse(l.timestamp) : undefined),
      ...(assistant && l.message.model && u
        ? {
            model: `anthropic/${l.message.model}`,
            tokens: {
              input: u.input_tokens ?? 0,
              output: u.output_tokens ?? 0,
              reasoning: 0,
              cache: {
                read: u.cache_read_input_tokens ?? 0,
                write: u.cache_creation_input_tokens ?? 0,
              },
            },
          }
        : {}),
    })
  }
  return [...out.values()].filter((m) => m.content || m.tokens)
}

export function claudeStore(home: string): SessionStore {
  return {
    name: 'claude',
    list(codebasePath) {
      const dir = projectDir(home, codebasePath)
      if (!existsSync(dir)) return []
      return readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => {
          const file = join(dir, f)
          const messages = messagesOf(file)
          const times = messages.map((m) => m.created_at ?? 0).filter(Boolean)
          const firstUser = messages.find((m) => m.role === 'user')?.content ?? ''
          return {
            session: {
              id: f.slice(0, -'.jsonl'.length),
              agent: 'claude',
              directory: codebasePath,
              title: firstUser.slice(0, 200),
              created_at: Math.min(...times, Date.now()),
              updated_at: Math.max(...times, 0) || Date.now(),
            },
            changedAt: statSync(file).mtimeMs,
          }
        })
    },
    messages: (codebasePath, id) => {
      const file = join(projectDir(home, codebasePath), `${id}.jsonl`)
      return existsSync(file) ? messagesOf(file) : []
    },
  }
}
