import type { Config, Env } from '../../env'
import { redact } from '../../lib/log'
import { databaseOf } from '../../storage/postgres/client'
import { redisOf } from '../../storage/redis/client'

export interface CheckResult {
  ok: boolean
  latency_ms: number
  error?: string
  [detail: string]: unknown
}

const TIMEOUT_MS = 3000

/** Runs one dependency probe with a deadline; its error message is redacted, never raw. */
async function probe(fn: () => Promise<Record<string, unknown> | undefined>): Promise<CheckResult> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)
    })
    const detail = await Promise.race([fn(), timeout])
    return { ok: true, latency_ms: elapsed(started), ...detail }
  } catch (err) {
    return {
      ok: false,
      latency_ms: elapsed(started),
      error: redact(String((err as Error).message)),
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100

export function checkPostgres(config: Config, withMigration = false): Promise<CheckResult> {
  return probe(async () => {
    const { sql } = databaseOf(config)
    if (!withMigration) {
      await sql`select 1`
      return undefined
    }
    const [row] = await sql`select (select max(version) from schema_migrations) as version,
                                   current_setting('server_version') as server`
    return { migration: row?.version ?? null, server_version: row?.server }
  })
}

export function checkRedis(config: Config): Promise<CheckResult> {
  return probe(async () => {
    const pong = await redisOf(config).ping()
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(pong)}`)
    return undefined
  })
}

export function checkDurableObjects(env: Env): Promise<CheckResult> {
  return probe(async () => {
    const namespaces = [env.TASK_STREAM, env.AGENT_BUS, env.WORKER_HUB, env.SCHEDULER]
    const kinds = await Promise.all(
      namespaces.map(async (ns) => (await ns.getByName('health').ping()).kind),
    )
    return { objects: kinds }
  })
}
