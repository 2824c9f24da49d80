import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { MIGRATIONS_DIR, migrate, readMigrations } from '../scripts/stack/migrations'
import { connectAsOwner, stack } from './helpers'

describe('migrations', () => {
  test('files are numbered without gaps or duplicates', () => {
    const versions = readMigrations().map((m) => Number(m.version))
    assert.deepEqual(
      versions,
      versions.map((_, i) => i + 1),
    )
  })

  test('every migration is recorded once, with its checksum', async () => {
    const owner = await connectAsOwner()
    try {
      const { rows } = await owner.query(
        'select version, checksum from schema_migrations order by version',
      )
      assert.deepEqual(
        rows,
        readMigrations().map((m) => ({ version: m.version, checksum: m.checksum })),
      )
    } finally {
      await owner.end()
    }
  })

  test('running them again applies nothing', async () => {
    const { applied, current } = await migrate(stack().ownerDatabaseUrl)
    assert.deepEqual(applied, [])
    assert.equal(current, readMigrations().at(-1)?.version)
  })

  test('two runners at once do not apply anything twice', async () => {
    const runs = await Promise.all([
      migrate(stack().ownerDatabaseUrl),
      migrate(stack().ownerDatabaseUrl),
    ])
    assert.deepEqual(
      runs.map((r) => r.applied),
      [[], []],
    )
  })

  test('a migration edited after it was applied stops the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true })
      const first = readdirSync(dir).sort()[0] as string
      writeFileSync(join(dir, first), '-- edited\n', { flag: 'a' })
      await assert.rejects(
        migrate(stack().ownerDatabaseUrl, { dir }),
        /changed after it was applied/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a failing migration is rolled back and not recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true })
      const next = String(readMigrations().length + 1).padStart(4, '0')
      writeFileSync(
        join(dir, `${next}_broken.sql`),
        'create table half_done (id int);\nselect 1/0;\n',
      )
      await assert.rejects(
        migrate(stack().ownerDatabaseUrl, { dir }),
        /broken failed: division by zero/,
      )
      const owner = await connectAsOwner()
      try {
        const t = await owner.query(`select to_regclass('public.half_done') as t`)
        assert.equal(t.rows[0].t, null)
        const m = await owner.query('select 1 from schema_migrations where version = $1', [next])
        assert.equal(m.rowCount, 0)
      } finally {
        await owner.end()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
