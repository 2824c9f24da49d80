import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildUi } from '../build-ui'
import { bootstrapDatabase, type Passwords } from './bootstrap'
import { startNeonHttp } from './neon-http'
import { ensurePackages } from './packages'
import { freePort } from './ports'
import { openForPostgres, PG_PACKAGE, startPostgres } from './postgres'
import type { Child } from './proc'
import { REDIS_PACKAGE, startRedis } from './redis'
import { startUpstashRest } from './upstash-rest'
import { startWrangler } from './wrangler'

/** What `.data/stack.json` holds: the contract other tooling (tests, bench, workers) reads. */
export interface StackInfo {
  url: string
  databaseUrl: string
  ownerDatabaseUrl: string
  redisRestUrl: string
  redisRestToken: string
  devToken: string
  tenantId: string
  migration: string | undefined
  neonHttpUrl: string
  redisUrl: string
  pids: Record<string, number | undefined>
}

export interface StackOptions {
  stateDir: string
  port: number
  /** Tests: nothing needs to survive, so Postgres skips fsync and Redis never snapshots. */
  ephemeral: boolean
  log: (msg: string) => void
  /** Where the Worker's output goes; undefined = this terminal. */
  workerLogFile?: string
  /** Further Worker vars (`npm start` passes the optional features set in its environment). */
  vars?: Record<string, string>
}

export interface Stack {
  info: StackInfo
  /** Restarts `wrangler dev` alone, as a deploy or crash would. */
  restartWorker(): Promise<void>
  stop(): Promise<void>
}

interface Secrets extends Passwords {
  secretsKey: string
  cardSigningKey: string
  redisToken: string
  devToken: string
  devTenantId: string
}

/** Generated once per state dir, so a persistent stack keeps its passwords and tenant. */
function loadSecrets(file: string): Secrets {
  const kept: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  const secret = () => randomBytes(24).toString('hex')
  // Kept values win, so a state dir made by an older version gains only what it lacks.
  const secrets: Secrets = {
    secretsKey: randomBytes(32).toString('base64'),
    cardSigningKey: JSON.stringify({
      ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
      kid: `dev-${randomBytes(4).toString('hex')}`,
      alg: 'ES256',
    }),
    postgres: secret(),
    owner: secret(),
    app: secret(),
    redisToken: secret(),
    devToken: `ctdev_${secret()}`,
    devTenantId: randomUUID(),
    ...kept,
  }
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 })
  return secrets
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const { stateDir, log } = opts
  ensurePackages([PG_PACKAGE, REDIS_PACKAGE], log)
  // wrangler serves the UI from dist/ui: built from ui/ now, so it matches the sources.
  await buildUi()
  mkdirSync(stateDir, { recursive: true })
  openForPostgres(stateDir)
  const secrets = loadSecrets(join(stateDir, 'secrets.json'))
  const children: Child[] = []
  const servers: Server[] = []
  const cleanups: (() => unknown)[] = []

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    for (const child of children.reverse()) await child.stop()
    for (const cleanup of cleanups) await cleanup()
    for (const server of servers) {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  }

  try {
    const [pgPort, redisPort, restPort, neonPort, inspectorPort] = await Promise.all(
      Array.from({ length: 5 }, freePort),
    )
    const pgChild = await startPostgres({
      dataDir: join(stateDir, 'postgres'),
      port: pgPort as number,
      superPassword: secrets.postgres,
      ephemeral: opts.ephemeral,
    })
    children.push(pgChild)
    const db = await bootstrapDatabase(pgPort as number, secrets, secrets.devTenantId, log)
    const redisChild = await startRedis({
      dir: join(stateDir, 'redis'),
      port: redisPort as number,
      ephemeral: opts.ephemeral,
    })
    children.push(redisChild)
    const rest = await startUpstashRest({
      port: restPort as number,
      redisPort: redisPort as number,
      token: secrets.redisToken,
    })
    const neon = await startNeonHttp(neonPort as number)
    servers.push(rest, neon)
    cleanups.push(
      () => rest.closeRedis(),
      () => neon.closePools(),
    )

    const redisRestUrl = `http://127.0.0.1:${restPort}`
    const neonHttpUrl = `http://127.0.0.1:${neonPort}/sql`
    const workerOptions = {
      port: opts.port,
      inspectorPort: inspectorPort as number,
      persistDir: join(stateDir, 'wrangler'),
      varsFile: join(stateDir, 'worker.env'),
      logFile: opts.workerLogFile,
      vars: {
        AUTH_MODE: 'dev',
        // One local user: limits on, so the limiter runs, but far above what tests send.
        RATE_LIMIT_PER_PRINCIPAL: '100000/60',
        RATE_LIMIT_PER_TENANT: '100000/60',
        // Likewise the limits a benchmark or a test run would reach in the one tenant; tests of
        // a limit lower it in a tenant of their own.
        LIMITS: JSON.stringify({
          tasks_per_minute: { default: 1_000_000, max: 1_000_000 },
          tasks_per_minute_per_principal: { default: 1_000_000, max: 1_000_000 },
          open_streams_per_principal: { default: 100_000, max: 100_000 },
          open_streams_per_tenant: { default: 100_000, max: 100_000 },
          sessions_per_minute: { default: 1_000_000, max: 1_000_000 },
        }),
        DEFAULT_TENANT_ID: secrets.devTenantId,
        A2A_AUTH_TOKENS: `dev:${secrets.devToken}`,
        DATABASE_URL: db.appUrl,
        NEON_HTTP_ENDPOINT: neonHttpUrl,
        UPSTASH_REDIS_REST_URL: redisRestUrl,
        UPSTASH_REDIS_REST_TOKEN: secrets.redisToken,
        SECRETS_KEY: secrets.secretsKey,
        AGENT_CARD_SIGNING_KEY: secrets.cardSigningKey,
        ...opts.vars,
      },
    }
    let worker = await startWrangler(workerOptions)
    children.push(worker)

    const info: StackInfo = {
      url: `http://127.0.0.1:${opts.port}`,
      databaseUrl: db.appUrl,
      ownerDatabaseUrl: db.ownerUrl,
      redisRestUrl,
      redisRestToken: secrets.redisToken,
      devToken: secrets.devToken,
      tenantId: secrets.devTenantId,
      migration: db.migration,
      neonHttpUrl,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      pids: { postgres: pgChild.proc.pid, redis: redisChild.proc.pid, wrangler: worker.proc.pid },
    }
    writeFileSync(join(stateDir, 'stack.json'), JSON.stringify(info, null, 2), { mode: 0o600 })
    return {
      info,
      stop,
      async restartWorker() {
        await worker.stop()
        children.splice(children.indexOf(worker), 1)
        worker = await startWrangler(workerOptions)
        children.push(worker)
      },
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * A throwaway stack (tests, benchmarks): a fresh temp dir, free ports, no durability; its
 * Worker logs to `<dir>/worker.log`. `dispose` stops it and removes the dir.
 */
export async function startTempStack(
  name: string,
  log: (msg: string) => void,
): Promise<{ stack: Stack; dir: string; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `codetether-${name}-`))
  const stack = await startStack({
    stateDir: dir,
    port: await freePort(),
    ephemeral: true,
    log,
    workerLogFile: join(dir, 'worker.log'),
    // Push retries a few hundred ms apart, so tests of a failing webhook take seconds. A
    // tenant's worker streams over four hubs and its agents over four buses: every suite
    // that connects workers or messages agents crosses objects, as a large deployment does.
    vars: { PUSH_RETRY_BASE_MS: '300', HUB_SHARDS: '4', BUS_SHARDS: '4' },
  })
  return {
    stack,
    dir,
    async dispose() {
      await stack.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
