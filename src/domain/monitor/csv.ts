import type { MonitorMessage } from './log'

const COLUMNS = ['id', 'timestamp', 'type', 'agent_name', 'content', 'error', 'task_id'] as const

/**
 * RFC 4180 quoting; a cell that a spreadsheet would run as a formula (=, +, -, @) gets a
 * leading apostrophe, since agents' output is not trusted.
 */
function cell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

export function messagesCsv(messages: MonitorMessage[]): string {
  const lines = [COLUMNS.join(',')]
  for (const m of messages) {
    const row = { ...m, task_id: m.metadata.task_id }
    lines.push(COLUMNS.map((c) => cell(row[c])).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
