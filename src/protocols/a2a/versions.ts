import type { Context } from 'hono'

export type A2aVersion = '1.0' | '0.3'

/** What a request says in `A2A-Version` (the header, else the query), trimmed; '' for nothing. */
export const namedVersion = (c: Context): string =>
  (c.req.header('A2A-Version') ?? c.req.query('A2A-Version') ?? '').trim()

/** The version a name means here: any 1.0.x is 1.0, 0.2.x and 0.3.x read as 0.3; else none. */
export function versionOf(name: string): A2aVersion | undefined {
  if (/^1\.0(\.\d+)?$/.test(name)) return '1.0'
  if (/^0\.[23](\.\d+)?$/.test(name)) return '0.3'
  return undefined
}
