import pg from 'pg'
import { migrate } from './migrations'
import { superuserUrl } from './postgres'

export const DATABASE = 'codetether'
export const OWNER_ROLE = 'codetether_owner'
export const APP_ROLE = 'codetether_app'

export interface Passwords {
  postgres: string
  owner: string
  app: string
}

export const roleUrl = (port: number, role: string, password: string) =>
  `postgres://${role}:${password}@127.0.0.1:${port}/${DATABASE}`

/**
 * Shapes a fresh or existing cluster the way Neon is shaped: a non-superuser owner that owns
 * the database and runs migrations, and the app role (created by the migrations) that can
 * only log in here, with a password this stack keeps. Idempotent.
 */
export async function bootstrapDatabase(
  port: number,
  pw: Passwords,
  devTenantId: string,
  log: (msg: string) => void,
): Promise<{ ownerUrl: string; appUrl: string; migration: string | undefined }> {
  const su = new pg.Client({ connectionString: superuserUrl(port, pw.postgres) })
  await su.connect()
  try {
    const owner = await su.query('select 1 from pg_roles where rolname = $1', [OWNER_ROLE])
    const verb = owner.rowCount ? 'alter' : 'create'
    await su.query(`${verb} role ${OWNER_ROLE} login createrole password '${pw.owner}'`)
    const db = await su.query('select 1 from pg_database where datname = $1', [DATABASE])
    if (!db.rowCount) await su.query(`create database ${DATABASE} owner ${OWNER_ROLE}`)
  } finally {
    await su.end()
  }

  const ownerUrl = roleUrl(port, OWNER_ROLE, pw.owner)
  const { applied, current } = await migrate(ownerUrl, { log })
  if (applied.length === 0) log(`migrations up to date (${current})`)

  const owner = new pg.Client({ connectionString: ownerUrl })
  await owner.connect()
  try {
    await owner.query(`alter role ${APP_ROLE} login password '${pw.app}'`)
    await owner.query(`select app.create_tenant('dev', 'Development', $1)`, [devTenantId])
  } finally {
    await owner.end()
  }
  return { ownerUrl, appUrl: roleUrl(port, APP_ROLE, pw.app), migration: current }
}
