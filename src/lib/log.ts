/**
 * Structured logs: one JSON object per line on stdout, which is what Workers Logs and
 * `wrangler tail` index. Values are passed through `redact` so that a token or a
 * connection string in a message or error never reaches the log; a database error is logged
 * as `describeDbError` says, without the statement's parameters (request bodies are never
 * logged).
 */
import { describeDbError } from './db-error'

type Level = 'debug' | 'info' | 'warn' | 'error'
type Fields = Record<string, unknown>

const secretPatterns: [RegExp, string][] = [
  [/\b(postgres(?:ql)?|redis|rediss|https?):\/\/[^\s:@/]+:[^\s@/]+@/gi, '$1://<redacted>@'],
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]+/gi, '$1 <redacted>'],
  [/\bct_[A-Za-z0-9_-]{8,}/g, 'ct_<redacted>'],
  // Drizzle's "Failed query: …\nparams: …", when it arrives as text (a JSON-RPC error message).
  [/\nparams: [\s\S]*/g, '\nparams: <redacted>'],
]

/** What every secret pattern contains: most strings have none of it and are left as they are. */
const mightHoldSecret = /:\/\/|bearer|basic|ct_|\nparams: /i

export function redact(text: string): string {
  if (!mightHoldSecret.test(text)) return text
  let out = text
  for (const [pattern, replacement] of secretPatterns) out = out.replace(pattern, replacement)
  return out
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
