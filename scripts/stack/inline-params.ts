/**
 * Inlines `$n` parameters as SQL literals, so that a batch of statements can go to Postgres
 * as one simple-protocol message (one round trip) the way Neon's proxy pipelines it.
 * Literals are untyped ('…'), which Postgres resolves like the untyped parameters the HTTP
 * protocol sends. Quoted strings, quoted identifiers, dollar quotes and comments are skipped.
 */
export function inlineParams(sql: string, params: (string | null)[]): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const ch = sql[i] as string
    const next = sql[i + 1]
    if (ch === "'" || ch === '"') {
      const end = closing(sql, i, ch)
      out += sql.slice(i, end)
      i = end
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i)
      const stop = end < 0 ? sql.length : end
      out += sql.slice(i, stop)
      i = stop
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2)
      const stop = end < 0 ? sql.length : end + 2
      out += sql.slice(i, stop)
      i = stop
    } else if (ch === '$') {
      const num = /^\$(\d+)/.exec(sql.slice(i))
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i))
      if (num && !/[\w$]/.test(sql[i - 1] ?? '')) {
        const index = Number(num[1]) - 1
        if (index < 0 || index >= params.length) throw new Error(`no parameter ${num[0]}`)
        out += literal(params[index] ?? null)
        i += num[0].length
      } else if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length)
        const stop = end < 0 ? sql.length : end + tag[0].length
        out += sql.slice(i, stop)
        i = stop
      } else {
        out += ch
        i++
      }
    } else {
      out += ch
      i++
    }
  }
  return out
}

function closing(sql: string, start: number, quote: string): number {
  let i = start + 1
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote)
        i += 2 // doubled quote inside
      else return i + 1
    } else i++
  }
  return sql.length
}

/** An untyped SQL literal: E'' with backslashes and quotes escaped, NULL for null. */
function literal(value: string | null): string {
  if (value === null) return 'NULL'
  if (value.includes('\0')) throw new Error('a parameter contains a NUL byte')
  const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "''")
  return escaped.includes('\\') ? `E'${escaped}'` : `'${escaped}'`
}
