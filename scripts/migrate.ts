/**
 * `npm run migrate`: applies migrations/*.sql as the database owner. Target: OWNER_DATABASE_URL
 * (e.g. a Neon URL), else the local stack's owner URL from .data/stack.json.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { migrate } from './stack/migrations'
import { ROOT } from './stack/wrangler'

function target(): string {
  if (process.env.OWNER_DATABASE_URL) return process.env.OWNER_DATABASE_URL
  const file = join(process.env.CODETETHER_DATA_DIR ?? join(ROOT, '.data'), 'stack.json')
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).ownerDatabaseUrl
  throw new Error('Set OWNER_DATABASE_URL, or start the local stack with `npm start`')
}

migrate(target(), { log: (msg) => console.error(msg) }).then(
  ({ applied, current }) => {
    console.log(applied.length ? `applied ${applied.join(', ')}` : `up to date (${current})`)
  },
  (err: Error) => {
    console.error(err.message)
    process.exit(1)
  },
)
