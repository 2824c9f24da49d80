import { Hono } from 'hono'
import pkg from '../../../package.json'
import { requirePrincipal } from '../../auth/middleware'
import { type AppEnv, configOfContext } from '../../context'
import { checkDurableObjects, checkPostgres, checkRedis } from '../../domain/health/checks'
import { errorBody } from '../../lib/errors'

export const health = new Hono<AppEnv>()

/** Liveness: the isolate runs. No I/O, so it stays up while a dependency is down. */
health.get('/health', (c) => c.json({ status: 'healthy', timestamp: new Date().toISOString() }))

/** Readiness: every dependency answers; 503 names the ones that did not. */
health.get('/health/ready', async (c) => {
  const config = configOfContext(c)
  const [postgres, redis, durable_objects] = await Promise.all([
    checkPostgres(config),
    checkRedis(config),
    checkDurableObjects(c.env),
  ])
  const checks = { postgres, redis, durable_objects }
  const failed = Object.entries(checks).filter(([, r]) => !r.ok)
  if (failed.length === 0) return c.json({ status: 'ready', checks })
  const reasons = failed.map(([name, r]) => `${name} (${r.error})`).join(', ')
  return c.json(
    {
      status: 'unavailable',
      failed: failed.map(([name]) => name),
      checks,
      ...errorBody('not_ready', `Not ready: ${reasons}`),
    },
    503,
  )
})

/** Versions, the applied migration and each dependency's latency, for operators. */
health.get('/health/detail', requirePrincipal(), async (c) => {
  const config = configOfContext(c)
  const [postgres, redis, durable_objects] = await Promise.all([
    checkPostgres(config, true),
    checkRedis(config),
    checkDurableObjects(c.env),
  ])
  const ok = postgres.ok && redis.ok && durable_objects.ok
  return c.json({
    status: ok ? 'ready' : 'degraded',
    version: config.CODETETHER_VERSION ?? pkg.version,
    auth_mode: config.AUTH_MODE,
    dependencies: { postgres, redis, durable_objects },
  })
})
