import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import type { AppEnv } from '../context'
import { withTenant } from '../db/tenant'
import { validationHook } from '../lib/errors'
import { ONLINE_WINDOW_SECONDS } from '../queue/workers'
import { jsonContent } from './openapi'
import { scopeOf } from './scope'

/** GET /v1/agent/status: what the tenant has right now (upstream's bridge status). */
export const statusApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

statusApi.openapi(
  createRoute({
    method: 'get',
    path: '/',
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), 'Status') },
  }),
  async (c) => {
    const scope = scopeOf(c)
    const { rows } = await withTenant(scope.db, scope.tenantId, (tx) =>
      tx.execute<{ workspaces: number; workers: number; pending: number; running: number }>(sql`
        select (select count(*)::int from workspaces) as workspaces,
               (select count(*)::int from workers where status <> 'offline'
                  and last_seen_at > now() - make_interval(secs => ${ONLINE_WINDOW_SECONDS}::int)) as workers,
               (select count(*)::int from tasks where status = 'submitted') as pending,
               (select count(*)::int from tasks where status = 'working') as running`),
    )
    const r = rows[0] ?? { workspaces: 0, workers: 0, pending: 0, running: 0 }
    return c.json(
      {
        available: true,
        registered_workspaces: r.workspaces,
        workers_online: r.workers,
        tasks: { pending: r.pending, running: r.running },
        runtime: null, // upstream read the server's local disk here; workers sync sessions instead
      },
      200,
    )
  },
)
