import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'

export interface Migration {
  version: string
  name: string
  sql: string
  checksum: string
}

export const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url).pathname

/** `NNNN_name.sql` files, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8')
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      }
    })
}

// Any constant works; it only has to be the same for every runner of this project.
const LOCK_KEY = 0x0c0de7e7

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own
 * transaction, under an advisory lock so two runners never interleave. A migration that
 * changed after it was applied stops the run: fix forward with a new file instead.
 */
export async function migrate(
  databaseUrl: string,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<{ applied: string[]; current: string | undefined }> {
  const log = opts.log ?? (() => {})
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY])
    await client.query(`create table if not exists schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now())`)
    const { rows } = await client.query<{ version: string; checksum: string }>(
      'select version, checksum from schema_migrations',
    )
    const done = new Map(rows.map((r) => [r.version, r.checksum]))
    const applied: string[] = []
    const migrations = readMigrations(opts.dir)
    for (const m of migrations) {
      const recorded = done.get(m.version)
      if (recorded !== undefined) {
        if (recorded !== m.checksum) {
          throw new Error(`migration ${m.version}_${m.name} changed after it was applied`)
        }
        continue
      }
      log(`applying migration ${m.version}_${m.name}`)
      await client.query('begin')
      try {
        await client.query(m.sql)
        await client.query(
          'insert into schema_migrations (version, name, checksum) values ($1, $2, $3)',
          [m.version, m.name, m.checksum],
        )
        await client.query('commit')
      } catch (err) {
        await client.query('rollback')
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`)
      }
      applied.push(m.version)
    }
    return { applied, current: migrations.at(-1)?.version }
  } finally {
    await client.end()
  }
}
