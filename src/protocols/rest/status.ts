import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { tenantCounts } from '../../domain/monitor/stats'
import { validationHook } from '../../lib/errors'
import { route } from './openapi'
import { BridgeStatus } from './schemas/status'
import { scopeOf } from './scope'

/** GET /v1/agent/status: what the tenant has right now (upstream's bridge status). */
export const statusApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

statusApi.openapi(route('get', '/', undefined, BridgeStatus, 'Status'), async (c) => {
  const r = await tenantCounts(scopeOf(c))
  return c.json(
    {
      available: true as const,
      registered_workspaces: r.workspaces,
      workers_online: r.workers,
      tasks: { pending: r.pending, running: r.running },
      runtime: null, // upstream read the server's local disk here; workers sync sessions instead
    },
    200,
  )
})
