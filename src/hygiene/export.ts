import { asc, getTableColumns } from 'drizzle-orm'
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core'
import type { Database } from '../db/client'
import { tenantTables } from '../db/schema'
import { withTenant } from '../db/tenant'

const PAGE = 1000
/** Columns that hold secrets (hashes, sealed tokens): never exported. */
const WITHHELD = new Set(['key_hash', 'sealed_token', 'sealed_credentials'])

/** A table's primary key columns, for a stable page order. */
function keyOf(table: PgTable): PgColumn[] {
  const config = getTableConfig(table)
  const composite = config.primaryKeys[0]?.columns
  return composite ?? config.columns.filter((c) => c.primary)
}

/**
 * Everything a tenant has, as NDJSON: one `{"table", "row"}` line per row, table by table,
 * read a page at a time under the tenant (RLS decides what is visible, as everywhere).
 * Secrets are left out; timestamps are ISO strings.
 */
export function exportTenant(db: Database, tenantId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const tables = Object.values(tenantTables) as PgTable[]
  let index = 0
  let offset = 0
  return new ReadableStream({
    async pull(controller) {
      const table = tables[index]
      if (!table) {
        controller.close()
        return
      }
      const name = getTableConfig(table).name
      const rows = await withTenant(db, tenantId, (tx) =>
        tx
          .select()
          .from(table)
          .orderBy(...keyOf(table).map((c) => asc(c)))
          .limit(PAGE)
          .offset(offset),
      )
      // Field name in the row → column name in the database, secrets left out.
      const shown = Object.entries(getTableColumns(table)).filter(([, c]) => !WITHHELD.has(c.name))
      const lines = rows.map((row) => {
        const out: Record<string, unknown> = {}
        for (const [key, col] of shown) out[col.name] = (row as Record<string, unknown>)[key]
        return `${JSON.stringify({ table: name, row: out })}\n`
      })
      if (lines.length) controller.enqueue(encoder.encode(lines.join('')))
      if (rows.length < PAGE) {
        index++
        offset = 0
      } else offset += PAGE
    },
  })
}
