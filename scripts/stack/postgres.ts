import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { type Child, startProcess, waitUntilReady } from './proc'

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'
export const PG_PACKAGE = { path: join(PG_BIN, 'postgres'), pkg: 'postgresql-15' }

export interface PostgresOptions {
  dataDir: string
  port: number
  superPassword: string
  /** Trade durability for speed (tests): no fsync, no synchronous commit. */
  ephemeral: boolean
}

/** Who runs Postgres: initdb and postgres refuse root, so root hands them to `postgres`. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }))
  return { uid: id('-u'), gid: id('-g') }
}

export function superuserUrl(port: number, password: string, database = 'postgres'): string {
  return `postgres://postgres:${password}@127.0.0.1:${port}/${database}`
}

/** Where the postgres user may keep clusters when it cannot reach the state dir. */
const SHARED_CLUSTERS = '/var/lib/codetether'

/**
 * The directory the cluster lives in: `dataDir`, unless root runs the stack from a place the
 * postgres user cannot enter (a clone under /root, or any directory of mode 700). Then it is
 * a directory of its own under /var/lib/codetether, one per state dir, so the same `.data`
 * finds the same cluster again.
 */
function clusterHome(dataDir: string, user: { uid: number; gid: number } | undefined): string {
  if (!user) return dataDir
  const enters = spawnSync('test', ['-w', dataDir], { ...user, cwd: '/' }).status === 0
  if (enters) return dataDir
  const id = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)
  const home = join(SHARED_CLUSTERS, id)
  mkdirSync(SHARED_CLUSTERS, { recursive: true, mode: 0o755 })
  mkdirSync(home, { recursive: true, mode: 0o700 })
  chownSync(home, user.uid, user.gid)
  return home
}

/** Starts a PostgreSQL 15 server on `dataDir`, creating the cluster the first time. */
export async function startPostgres(opts: PostgresOptions): Promise<Child> {
  const user = runAs()
  mkdirSync(opts.dataDir, { recursive: true })
  if (user) chownSync(opts.dataDir, user.uid, user.gid)
  const home = clusterHome(opts.dataDir, user)
  const data = join(home, 'data')
  // initdb and postgres start in their own directory: they may not enter the caller's.
  const asPostgres = user ? { ...user, cwd: home } : {}

  if (!existsSync(join(data, 'PG_VERSION'))) {
    rmSync(data, { recursive: true, force: true })
    const pwfile = join(home, '.pwfile')
    writeFileSync(pwfile, `${opts.superPassword}\n`, { mode: 0o600 })
    if (user) chownSync(pwfile, user.uid, user.gid)
    try {
      execFileSync(
        join(PG_BIN, 'initdb'),
        [
          '-D',
          data,
          '-U',
          'postgres',
          '--auth=scram-sha-256',
          `--pwfile=${pwfile}`,
          '-E',
          'UTF8',
          '--locale=C.UTF-8',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], ...asPostgres },
      )
    } finally {
      rmSync(pwfile, { force: true })
    }
  }
  stopLeftover(data, asPostgres)

  const settings = [
    `port=${opts.port}`,
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=200',
    ...(opts.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ]
  const logFile = join(opts.dataDir, 'postgres.log')
  writeFileSync(logFile, '', { flag: 'a' })
  if (user) chownSync(logFile, user.uid, user.gid)
  const child = startProcess(
    'postgres',
    join(PG_BIN, 'postgres'),
    ['-D', data, ...settings.flatMap((s) => ['-c', s])],
    { ...asPostgres, logFile, stopSignal: 'SIGINT' }, // SIGINT: fast shutdown
  )
  await waitUntilReady(child, () => canConnect(superuserUrl(opts.port, opts.superPassword)), 30_000)
  return child
}

/** A postmaster left by a stack that was killed: stop it before starting ours. */
function stopLeftover(data: string, asPostgres: { uid?: number; gid?: number; cwd?: string }) {
  const pidFile = join(data, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  try {
    process.kill(pid, 0)
  } catch {
    return // stale file; postgres removes it itself
  }
  execFileSync(join(PG_BIN, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w'], {
    stdio: 'ignore',
    ...asPostgres,
  })
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
  try {
    await client.connect()
    return true
  } finally {
    await client.end().catch(() => {})
  }
}

/** Lets the postgres user reach a data dir under a private temp dir. */
export function openForPostgres(dir: string) {
  if (runAs()) chmodSync(dir, 0o755)
}
