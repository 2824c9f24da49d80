import { z } from '@hono/zod-openapi'
import { LIMIT_KINDS, LIMIT_NAMES, LIMIT_PERS, type LimitName } from '../../../domain/limits/table'

const Per = z.enum(LIMIT_PERS)
const Kind = z.enum(LIMIT_KINDS)

/** One limit as Settings shows it (`describeLimits`). */
export const TenantLimit = z
  .object({
    name: z.enum(LIMIT_NAMES as [LimitName, ...LimitName[]]),
    description: z.string(),
    per: Per.openapi({ description: 'Whose use is counted' }),
    kind: Kind.openapi({
      description: 'count: how many may exist; rate: per window; size: bytes; open: at once',
    }),
    unit: z.string(),
    window_seconds: z.number().int().positive().optional().openapi({
      description: 'Rate limits only',
    }),
    routes: z.array(z.string()).readonly().optional().openapi({
      description: 'Body-size limits only: the routes covered (`*` is any segment)',
    }),
    value: z.number().int().openapi({ description: 'In force now' }),
    default: z.number().int(),
    max: z.number().int().openapi({ description: "The most the tenant's admins may set" }),
    editable: z.boolean().openapi({ description: "False: the operator's alone to set" }),
    set_by: z.enum(['tenant', 'default']),
  })
  .openapi('TenantLimit')

export const TenantLimits = z.object({ limits: z.array(TenantLimit) }).openapi('TenantLimits')
