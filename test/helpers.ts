import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { StackInfo } from '../scripts/stack/index'
import { freePort } from '../scripts/stack/ports'
import { readEnvFile, startWrangler } from '../scripts/stack/wrangler'

/** The stack `npm test` started for this run (see scripts/test.ts). */
export function stack(): StackInfo {
  const file = process.env.CODETETHER_STACK
  if (!file) throw new Error('CODETETHER_STACK is not set: run the tests with `npm test`')
  return JSON.parse(readFileSync(file, 'utf8'))
}

export function testDir(): string {
  const dir = process.env.CODETETHER_TEST_DIR
  if (!dir) throw new Error('CODETETHER_TEST_DIR is not set: run the tests with `npm test`')
  return dir
}

/** fetch against the Worker; `token: null` sends no Authorization header. */
export async function api(
  path: string,
  init: RequestInit & { token?: string | null; json?: unknown } = {},
): Promise<Response> {
  const { token, json, ...rest } = init
  const headers = new Headers(rest.headers)
  const bearer = token === undefined ? stack().devToken : token
  if (bearer !== null) headers.set('Authorization', `Bearer ${bearer}`)
  if (json !== undefined) headers.set('Content-Type', 'application/json')
  return fetch(new URL(path, stack().url), {
    ...rest,
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
  })
}

/** A GET's JSON reply, read field by field by the test. */
// biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
export const getJson = async (path: string): Promise<any> => (await api(path)).json()

/** A client connected as the app role: what the Worker's queries run as. */
export async function connectAsApp(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stack().databaseUrl })
  await client.connect()
  return client
}

export async function connectAsOwner(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stack().ownerDatabaseUrl })
  await client.connect()
  return client
}

/** Runs `fn` in a transaction with app.tenant_id set, as tenantQuery and tenantBatch do. */
export async function asTenant<T>(
  client: pg.Client,
  tenantId: string | null,
  fn: () => Promise<T>,
): Promise<T> {
  await client.query('begin')
  try {
    if (tenantId !== null) {
      await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId])
    }
    const out = await fn()
    await client.query('commit')
    return out
  } catch (err) {
    await client.query('rollback')
    throw err
  }
}

/** A new tenant, made the way an operator makes one. */
export async function createTenant(): Promise<string> {
  const owner = await connectAsOwner()
  try {
    const slug = `t-${randomUUID().slice(0, 8)}`
    const { rows } = await owner.query<{ id: string }>('select app.create_tenant($1, $2) as id', [
      slug,
      `Tenant ${slug}`,
    ])
    return rows[0]?.id as string
  } finally {
    await owner.end()
  }
}

/** A new tenant and an admin API key of it, stored as the Worker stores keys. */
export async function newTenantAdmin(): Promise<{ tenantId: string; key: string }> {
  const tenantId = await createTenant()
  return { tenantId, key: await newKey(tenantId, 'admin') }
}

/** An API key made as an operator would, for `userId`'s person when given (else its own). */
export async function newKey(
  tenantId: string,
  role: 'admin' | 'member' | 'viewer',
  userId?: string,
): Promise<string> {
  const key = `ct_${randomBytes(24).toString('base64url')}`
  const owner = await connectAsOwner()
  try {
    await asTenant(owner, tenantId, () =>
      owner.query(
        `insert into api_keys (tenant_id, name, key_hash, key_prefix, role, user_id)
           values ($1, $2, $3, 'ct_test', $2, $4)`,
        [tenantId, role, createHash('sha256').update(key).digest(), userId ?? null],
      ),
    )
  } finally {
    await owner.end()
  }
  return key
}

/** The SQLSTATE a statement fails with, or undefined if it succeeds. */
export async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
    return undefined
  } catch (err) {
    return (err as { code?: string }).code ?? 'no-code'
  }
}

/**
 * Another Worker (wrangler dev) beside the stack's, with its own vars: for a dependency
 * that is down, a configuration the stack does not have, or a restart.
 */
export async function startTestWorker(name: string, vars: Record<string, string>) {
  const dir = join(testDir(), name)
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const options = {
    port,
    inspectorPort: await freePort(),
    persistDir: join(dir, 'state'),
    varsFile: join(dir, 'worker.env'),
    logFile: join(dir, 'worker.log'),
    vars,
  }
  return { options, url: `http://127.0.0.1:${port}`, worker: await startWrangler(options) }
}

/** The stack Worker's own vars (dev mode, same Postgres and Redis). */
export const stackVars = () => readEnvFile(join(testDir(), 'worker.env'))

/**
 * How many Lua script calls (EVAL, EVALSHA) naming `key` reach the stack's Redis while `run`
 * runs, and `settleMs` after it. Counted from MONITOR, so that other suites' calls, running at
 * the same time on the same Redis, are not counted.
 */
export async function scriptCallsNaming(
  key: string,
  run: () => Promise<void>,
  settleMs = 300,
): Promise<number> {
  const redis = new Redis(stack().redisUrl)
  const monitor = await redis.monitor()
  let calls = 0
  monitor.on('monitor', (_time: string, args: string[]) => {
    const command = String(args[0]).toLowerCase()
    if ((command === 'eval' || command === 'evalsha') && args.some((a) => a.includes(key))) calls++
  })
  try {
    await run()
    await new Promise((r) => setTimeout(r, settleMs))
    return calls
  } finally {
    monitor.disconnect()
    redis.disconnect()
  }
}
