/**
 * The worker's own LLM loop: each session is `<id>.json` (the conversation, which resume
 * reads) beside `<id>.meta.json` (codebase, title, and each turn's model and token usage).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PRIVATE } from '../private-fs.js'
import type { MessageRecord, SessionStore } from './types.js'

export interface Turn {
  /** How many messages the conversation had when the turn ended. */
  end: number
  model: string
  task_id: string
  at: number
  tokens: NonNullable<MessageRecord['tokens']>
}

export interface LlmMeta {
  id: string
  directory: string
  title: string
  created_at: number
  updated_at: number
  turns: Turn[]
}

const metaFile = (dir: string, id: string) => join(dir, `${encodeURIComponent(id)}.meta.json`)

export function recordTurn(dir: string, id: string, directory: string, title: string, turn: Turn) {
  const file = metaFile(dir, id)
  const meta: LlmMeta = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : {
        id,
        directory,
        title: title.slice(0, 200),
        created_at: turn.at,
        updated_at: turn.at,
        turns: [],
      }
  meta.turns.push(turn)
  meta.updated_at = turn.at
  writeFileSync(file, JSON.stringify(meta), PRIVATE)
}

type Part = { type: string; text?: string; toolName?: string }
const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? (content as Part[])
          .map((p) => (p.type === 'text' ? p.text : p.toolName ? `[${p.type}: ${p.toolName}]` : ''))
          .filter(Boolean)
          .join('\n')
      : ''

export function llmStore(dir: string): SessionStore {
  const metas = (): LlmMeta[] =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.meta.json'))
          .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as LlmMeta)
      : []
  return {
    name: 'llm',
    list: (codebasePath) =>
      metas()
        .filter((m) => m.directory === codebasePath)
        .map((m) => ({
          session: {
            id: m.id,
            agent: 'llm',
            directory: m.directory,
            title: m.title,
            created_at: m.created_at,
            updated_at: m.updated_at,
          },
          changedAt: statSync(metaFile(dir, m.id)).mtimeMs,
        })),
    messages(_codebasePath, id) {
      const meta = metas().find((m) => m.id === id)
      const convo = join(dir, `${encodeURIComponent(id)}.json`)
      if (!meta || !existsSync(convo)) return []
      const all = JSON.parse(readFileSync(convo, 'utf8')) as {
        role: MessageRecord['role']
        content: unknown
      }[]
      // A turn's usage goes on its last assistant message; each message is dated within its
      // turn (the conversation file keeps no times), so the server keeps them in order.
      const billedAt = new Map<number, Turn>()
      const datedAt = new Map<number, number>()
      let start = 0
      for (const turn of meta.turns) {
        const end = Math.min(turn.end, all.length)
        for (let i = start; i < end; i++) datedAt.set(i, turn.at - (end - 1 - i))
        let i = end - 1
        while (i >= start && all[i]?.role !== 'assistant') i--
        if (i >= start) billedAt.set(i, turn)
        start = end
      }
      return all.map((m, i) => {
        const turn = billedAt.get(i)
        return {
          id: String(i),
          role: m.role,
          content: textOf(m.content),
          created_at: datedAt.get(i),
          ...(turn ? { model: turn.model, tokens: turn.tokens, task_id: turn.task_id } : {}),
        }
      })
    },
  }
}
