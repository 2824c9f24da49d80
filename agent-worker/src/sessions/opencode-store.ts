/**
 * opencode's sessions: `$XDG_DATA_HOME/opencode/storage/` (~/.local/share by default) holds
 * `session/<project>/<session id>.json` (its directory, title and times),
 * `message/<session id>/<message id>.json` (role, time, model, tokens) and
 * `part/<message id>/<part id>.json` (the content: text parts, tool calls, …).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { opencodeData } from '../models/credentials.js'
import type { MessageRecord, SessionRecord, SessionStore } from './types.js'

interface SessionFile {
  id?: string
  directory?: string
  title?: string
  time?: { created?: number; updated?: number }
}
interface MessageFile {
  id?: string
  role?: string
  time?: { created?: number }
  modelID?: string
  providerID?: string
  tokens?: MessageRecord['tokens']
}

function json<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined // gone, or being written right now
  }
}

const files = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(dir, f))
    : []

export function opencodeStore(env: NodeJS.ProcessEnv): SessionStore {
  const storage = join(opencodeData(env), 'storage')
  const textOf = (messageId: string) =>
    files(join(storage, 'part', messageId))
      .map((f) => json<{ type?: string; text?: string }>(f))
      .filter((p) => p?.type === 'text' && p.text)
      .map((p) => p?.text)
      .join('\n')
  const messagesOf = (sessionId: string): MessageRecord[] =>
    files(join(storage, 'message', sessionId))
      .map((f) => json<MessageFile>(f))
      .filter((m): m is MessageFile & { id: string } => Boolean(m?.id))
      .filter((m) => m.role === 'user' || m.role === 'assistant')
      .sort((a, b) => (a.time?.created ?? 0) - (b.time?.created ?? 0))
      .map((m) => ({
        id: m.id,
        role: m.role as 'user' | 'assistant',
        content: textOf(m.id),
        created_at: m.time?.created,
        ...(m.role === 'assistant' && m.modelID
          ? { model: `${m.providerID ?? 'opencode'}/${m.modelID}` }
          : {}),
        ...(m.role === 'assistant' && m.tokens ? { tokens: m.tokens } : {}),
      }))
      .filter((m) => m.content || m.tokens)
  return {
    name: 'opencode',
    list(codebasePath) {
      const root = join(storage, 'session')
      if (!existsSync(root)) return []
      const found: { session: SessionRecord; changedAt: number }[] = []
      for (const project of readdirSync(root)) {
        for (const file of files(join(root, project))) {
          const s = json<SessionFile>(file)
          if (!s?.id || s.directory !== codebasePath) continue
          // A new message changes the session's message directory, not its own file.
          const messages = join(storage, 'message', s.id)
          const changedAt = Math.floor(
            Math.max(statSync(file).mtimeMs, existsSync(messages) ? statSync(messages).mtimeMs : 0),
          )
          found.push({
            session: {
              id: s.id,
              agent: 'opencode',
              directory: codebasePath,
              title: (s.title ?? '').slice(0, 200),
              created_at: s.time?.created ?? changedAt,
              updated_at: s.time?.updated ?? changedAt,
            },
            changedAt,
          })
        }
      }
      return found
    },
    messages: (_codebasePath, id) => messagesOf(id),
  }
}
