import { Hono } from 'hono'
import { requirePrincipal } from '../../auth/middleware'
import { can } from '../../auth/permissions'
import { matchStaticToken, parseStaticTokens } from '../../auth/static-tokens'
import {
  type AppContext,
  type AppEnv,
  configOfContext,
  dbOf,
  principalOf,
  redisOfContext,
} from '../../context'
import { renderMetrics } from '../../domain/metrics/render'
import type { MetricsView } from '../../domain/metrics/tenants'

/**
 * GET /metrics in Prometheus text format. A scraper presenting METRICS_TOKEN and the operator
 * (platform:metrics) get platform totals and every tenant's series; a tenant's admin
 * (metrics:read) gets that tenant's series only.
 */
export const metricsApi = new Hono<AppEnv>()

metricsApi.get(
  '/metrics',
  async (c, next) => {
    const config = configOfContext(c)
    const presented = c.req.header('Authorization')?.replace(/^Bearer\s+/i, '')
    if (config.METRICS_TOKEN && presented) {
      const scraper = await parseStaticTokens(`metrics:${config.METRICS_TOKEN}`)
      if (await matchStaticToken(scraper, presented)) return serve(c, 'platform')
    }
    // Otherwise a principal with metrics:read (admins), as the permission table says.
    return requirePrincipal()(c, next)
  },
  (c) => {
    const principal = principalOf(c)
    return serve(
      c,
      can(principal, 'platform:metrics') ? 'platform' : { tenantId: principal.tenantId },
    )
  },
)

async function serve(c: AppContext, view: MetricsView) {
  const text = await renderMetrics(dbOf(c), redisOfContext(c), view)
  return c.text(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
}
