/**
 * What a log line may say about a failed database statement. Drizzle's error message carries
 * the statement's parameters (`Failed query: …\nparams: …`), which are request data (prompts,
 * names, secrets someone pasted); Postgres quotes values in its messages too (`invalid input
 * syntax for type uuid: "…"`). So a database error is logged as its SQLSTATE, Postgres's
 * message with every quoted literal masked, the identifiers Postgres names separately, and a
 * name for the statement built from its SQL text's keywords and identifiers only.
 */

type Link = { code?: unknown; cause?: unknown; message?: unknown; query?: unknown } & Record<
  string,
  unknown
>

/** The errors of a wrapper chain (drizzle → driver), outermost first, at most 5. */
function chain(err: unknown): Link[] {
  const out: Link[] = []
  for (let e = err as Link | undefined; e && typeof e === 'object' && out.length < 5; ) {
    out.push(e)
    e = e.cause as Link | undefined
  }
  return out
}

const isSqlState = (code: unknown): code is string =>
  typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)

/** The SQLSTATE of a Postgres error, also when a driver or drizzle wrapped it. */
export function sqlState(err: unknown): string | undefined {
  return chain(err).find((e) => isSqlState(e.code))?.code as string | undefined
}

/** Postgres's message with its quoted literals (values and identifiers alike) masked. */
export const maskLiterals = (message: string) =>
  message.replace(/"(?:[^"]|"")*"/g, '"…"').replace(/'(?:[^']|'')*'/g, "'…'")

/**
 * `insert tasks`, `select app.insert_task`, `update "workers"`: the verb and the first table
 * or function a statement names. Only words made of identifier characters are kept.
 */
export function statementName(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'statement'
  const fn = /^\s*select\s+([\w.]+)\s*\(/i.exec(sql)?.[1]
  const table = /\b(?:into|update|from)\s+("?[\w]+"?(?:\."?[\w]+"?)?)/i.exec(sql)?.[1]
  const target = (fn ?? table ?? '').replaceAll('"', '')
  return target ? `${verb} ${target}` : verb
}

/** Identifiers Postgres reports beside its message: never values. */
const IDENTIFIER_FIELDS = ['table', 'column', 'constraint', 'dataType', 'schema'] as const

export interface DbErrorSummary {
  name: 'DatabaseError'
  code: string
  message: string
  statement?: string
  [field: string]: string | undefined
}

/** A database error as it may be logged, or undefined when `err` is no database error. */
export function describeDbError(err: unknown): DbErrorSummary | undefined {
  const links = chain(err)
  const pg = links.find((e) => isSqlState(e.code))
  // Drizzle's wrapper (query + params) also around errors with no SQLSTATE (a dropped connection).
  const wrapper = links.find((e) => typeof e.query === 'string' && 'params' in e)
  if (!pg && !wrapper) return undefined
  const cause = pg ?? links.find((e) => e !== wrapper)
  const out: DbErrorSummary = {
    name: 'DatabaseError',
    code: pg ? (pg.code as string) : 'none',
    message: maskLiterals(typeof cause?.message === 'string' ? cause.message : 'Failed query'),
  }
  if (typeof wrapper?.query === 'string') out.statement = statementName(wrapper.query)
  for (const f of IDENTIFIER_FIELDS) if (typeof pg?.[f] === 'string') out[f] = pg[f] as string
  return out
}
