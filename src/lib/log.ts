/**
 * Structured logs: one JSON object per line on stdout, which is what Workers Logs and
 * `wrangler tail` index. Values are passed through `redact` so that a token or a
 * connection string in a message or error never reaches the log; a database error is logged
 * as `describeDbError` says, without the statement's parameters (request bodies are never
 * logged).
 */
import { redactCredentials } from '@codetether/agent-kit/redact'
import { describeDbError } from './db-error'

type Level = 'debug' | 'info' | 'warn' | 'error'
type Fields = Record<string, unknown>

/**
 * Credentials (the list the worker applies to transcripts too), and drizzle's "Failed query:
 * …\nparams: …" when it arrives as text (a JSON-RPC error message).
 */
export function redact(text: string): string {
  const out = redactCredentials(text)
  return out.includes('\nparams: ')
    ? out.replace(/\nparams: [\s\S]*/g, '\nparams: <redacted>')
    : out
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return describeDbError(value) ?? { name: value.name, message: redact(value.message) }
  }
  if (typeof value === 'string') return redact(value)
  return value
}

function write(level: Level, msg: string, fields: Fields = {}): void {
  const entry: Fields = { ts: new Date().toISOString(), level, msg: redact(msg) }
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) entry[k] = serialise(v)
  const line = JSON.stringify(entry)
  if (level === 'error') console.error(line)
  else console.log(line)
}

export const log = {
  debug: (msg: string, fields?: Fields) => write('debug', msg, fields),
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
}
