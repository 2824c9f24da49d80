import { asc, getTableColumns, type SQL, sql } from 'drizzle-orm'
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core'
import { log } from '../../lib/log'
import { tenantTables } from '../../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'

const PAGE = 1000
/** Columns that hold secrets (hashes, sealed tokens): never exported. */
export const WITHHELD = new Set([
  'key_hash',
  'secret_hash',
  'sealed_token',
  'sealed_credentials',
  'sealed_refresh_token',
])

/** A table's key within a tenant (its primary key less tenant_id), for keyset paging. */
function keyOf(table: PgTable): PgColumn[] {
  const config = getTableConfig(table)
  const key = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary)
  return key.filter((c) => c.name !== 'tenant_id')
}

/** Rows after `last` in key order: a page costs the same at row 100,000 as at row 1. */
function after(key: PgColumn[], last: unknown[] | undefined): SQL | undefined {
  if (!last) return undefined
  if (last.some((v) => v === undefined)) throw new Error('export: a key column is not in the row')
  const cols = sql.join(key, sql`, `)
  const vals = sql.join(
    last.map((v) => sql`${v}`),
    sql`, `,
  )
  return sql`(${cols}) > (${vals})`
}

/** The rows of one table, a keyset page at a time, secrets left out, as NDJSON lines. */
async function* pagesOf(t: Tenancy, table: PgTable): AsyncGenerator<string[]> {
  const name = getTableConfig(table).name
  const key = keyOf(table)
  // Field name in the row → column name in the database, secrets left out.
  const columns = Object.entries(getTableColumns(table))
  const shown = columns.filter(([, c]) => !WITHHELD.has(c.name))
  // By name: the primary key's column objects are not the ones getTableColumns gives.
  const fieldOf = (col: PgColumn) => columns.find(([, c]) => c.name === col.name)?.[0] ?? col.name
  let last: unknown[] | undefined
  for (;;) {
    const rows = (await tenantQuery(t, (db) =>
      db
        .select()
        .from(table)
        .where(after(key, last))
        .orderBy(...key.map((c) => asc(c)))
        .limit(PAGE),
    )) as Record<string, unknown>[]
    yield rows.map((row) => {
      const out: Record<string, unknown> = {}
      for (const [field, col] of shown) out[col.name] = row[field]
      return `${JSON.stringify({ table: name, row: out })}\n`
    })
    const end = rows.at(-1)
    if (rows.length < PAGE || !end) return
    last = key.map((col) => end[fieldOf(col)])
  }
}

/**
 * Everything a tenant has, as NDJSON: one `{"table", "row"}` line per row, table by table,
 * read a page at a time under the tenant (RLS decides what is visible, as everywhere).
 * Secrets are left out; timestamps are ISO strings. The last line says how it ended:
 * `{"complete": true, "rows": n}`, or `{"error": …}`: a reader never mistakes a cut-off
 * export for a whole one, though the status was sent before the first row.
 *
 * Written by a promise the request keeps alive (`keepAlive`, its waitUntil) rather than
 * pulled by the response: workerd cancels a body whose pulls wait on I/O as hung code.
 */
export function exportTenant(
  t: Tenancy,
  keepAlive: (p: Promise<unknown>) => void,
): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
  keepAlive(writeExport(t, writable.getWriter()))
  return readable
}

async function writeExport(t: Tenancy, writer: WritableStreamDefaultWriter<Uint8Array>) {
  const encoder = new TextEncoder()
  const line = (value: unknown) => encoder.encode(`${JSON.stringify(value)}\n`)
  let total = 0
  let table = ''
  try {
    for (const source of Object.values(tenantTables) as PgTable[]) {
      table = getTableConfig(source).name
      for await (const lines of pagesOf(t, source)) {
        total += lines.length
        if (lines.length) await writer.write(encoder.encode(lines.join('')))
      }
    }
    await writer.write(line({ complete: true, rows: total }))
  } catch (err) {
    log.error('export failed', { table, error: err as Error })
    await writer
      .write(line({ error: { table, message: 'the export stopped early' } }))
      .catch(() => {})
  } finally {
    await writer.close().catch(() => {})
  }
}
