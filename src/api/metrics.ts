import { Hono } from 'hono'
import { requirePrincipal } from '../auth/middleware'
import { matchStaticToken, parseStaticTokens } from '../auth/static-tokens'
import { type AppEnv, configOfContext, dbOf, redisOfContext } from '../context'
import { renderMetrics } from '../metrics/render'

/**
 * GET /metrics in Prometheus text format: for a scraper presenting METRICS_TOKEN, or for an
 * admin. It shows platform totals, never a tenant's data.
 */
export const metricsApi = new Hono<AppEnv>()

metricsApi.get(
  '/metrics',
  async (c, next) => {
    const config = configOfContext(c)
    const presented = c.req.header('Authorization')?.replace(/^Bearer\s+/i, '')
    if (config.METRICS_TOKEN && presented) {
      const scraper = await parseStaticTokens(`metrics:${config.METRICS_TOKEN}`)
      if (await matchStaticToken(scraper, presented)) return serve(c)
    }
    // Otherwise a principal with metrics:read (admins), as the permission table says.
    return requirePrincipal()(c, next)
  },
  (c) => serve(c),
)

async function serve(c: Parameters<typeof configOfContext>[0]) {
  const text = await renderMetrics(dbOf(c), redisOfContext(c))
  return c.text(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
}
