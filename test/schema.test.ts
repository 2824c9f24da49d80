/** The drizzle schema in src/storage/postgres/schema.ts must describe the migrated database exactly. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getTableConfig } from 'drizzle-orm/pg-core'
import * as schema from '../src/storage/postgres/schema'
import { connectAsOwner } from './helpers'

test('drizzle schema matches the migrated tables column by column', async () => {
  const owner = await connectAsOwner()
  try {
    for (const table of Object.values(schema.tenantTables)) {
      const config = getTableConfig(table)
      const { rows } = await owner.query<{
        name: string
        type: string
        not_null: boolean
        has_default: boolean
      }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
                a.attnotnull as not_null, a.atthasdef or a.attidentity <> '' as has_default
           from pg_attribute a
          where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
          order by a.attnum`,
        [config.name],
      )
      const inDb = new Map(rows.map((r) => [r.name, r]))
      const inCode = new Map(config.columns.map((c) => [c.name, c]))
      assert.deepEqual(
        [...inCode.keys()].sort(),
        [...inDb.keys()].sort(),
        `${config.name}: columns differ`,
      )
      for (const [name, col] of inCode) {
        const db = inDb.get(name)
        assert.ok(db)
        const where = `${config.name}.${name}`
        assert.equal(
          col.getSQLType().replace('timestamp with time zone', 'timestamptz'),
          db.type.replace('timestamp with time zone', 'timestamptz'),
          `${where}: type`,
        )
        assert.equal(col.notNull, db.not_null, `${where}: not null`)
        assert.equal(col.hasDefault, db.has_default, `${where}: default`)
      }
    }
  } finally {
    await owner.end()
  }
})
