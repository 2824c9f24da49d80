import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { describeLimits, setLimits } from '../../domain/limits/settings'
import { LIMIT_NAMES, type LimitName } from '../../domain/limits/table'
import { validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import { TenantLimits } from './schemas/limits'
import { auditRequest, scopeOf } from './scope'

/** /v1/limits: the tenant's limits, each with its value, default and maximum (Settings). */
export const limitsApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

limitsApi.openapi(route('get', '/', undefined, TenantLimits), async (c) =>
  c.json({ limits: await describeLimits(scopeOf(c)) }, 200),
)

const Change = z
  .partialRecord(
    z.enum(LIMIT_NAMES as [LimitName, ...LimitName[]]),
    z.number().int().min(0).nullable(),
  )
  .refine((v) => Object.keys(v).length > 0, 'Name at least one limit')
  .openapi('LimitsChange')

/** PUT: `{ "cron_jobs": 20, "tasks_per_minute": null }`: a value, or null for the default. */
limitsApi.openapi(route('put', '/', body(Change), TenantLimits), async (c) => {
  const change = c.req.valid('json') as Record<string, number | null>
  const limits = await setLimits(scopeOf(c), change)
  auditRequest(c, { action: 'limits_changed', target: 'tenant', detail: change })
  return c.json({ limits }, 200)
})
