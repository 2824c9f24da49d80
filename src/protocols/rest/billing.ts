import { OpenAPIHono, z } from '@hono/zod-openapi'
import { type AppEnv, dbOf } from '../../context'
import { budgetOf, setBudget } from '../../domain/usage/budget'
import { listPrices, setPrice } from '../../domain/usage/pricing'
import { GROUPS, recentUsage, usageSummary, voidUsage } from '../../domain/usage/reports'
import { notFound, validationHook } from '../../lib/errors'
import { body, untypedRoute } from './openapi'
import { auditRequest, scopeOf } from './scope'

/** /v1/token-billing: the usage ledger's summaries, the tenant's budget, model prices. */
export const billingApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

billingApi.openapi(
  untypedRoute('get', '/usage/summary', {
    query: z.object({
      group_by: z.enum(GROUPS).default('model'),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
  }),
  async (c) => {
    const q = c.req.valid('query')
    const summary = await usageSummary(scopeOf(c), {
      groupBy: q.group_by,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    })
    return c.json({ ...summary, budget: await budgetOf(scopeOf(c)) }, 200)
  },
)

billingApi.openapi(
  untypedRoute('get', '/usage/recent', {
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
  }),
  async (c) => c.json(await recentUsage(scopeOf(c), c.req.valid('query').limit), 200),
)

/** POST /usage/{id}/void: an admin takes a false report out of every total (kept, marked). */
billingApi.openapi(
  untypedRoute('post', '/usage/{id}/void', {
    params: z.object({ id: z.coerce.number().int().positive() }),
  }),
  async (c) => {
    const { id } = c.req.valid('param')
    const voided = await voidUsage(scopeOf(c), id)
    if (!voided) throw notFound(`Live usage entry ${id}`)
    auditRequest(c, { action: 'usage_voided', target: `usage:${id}`, detail: voided })
    return c.json({ success: true, voided }, 200)
  },
)

billingApi.openapi(untypedRoute('get', '/budget'), async (c) =>
  c.json(await budgetOf(scopeOf(c)), 200),
)

const Budget = z
  .object({
    monthly_budget_micros: z.number().int().min(0).nullable().optional(),
    monthly_limit_micros: z.number().int().min(0).nullable().optional(),
  })
  .openapi('Budget')

billingApi.openapi(untypedRoute('put', '/budget', body(Budget)), async (c) =>
  c.json(await setBudget(scopeOf(c), c.req.valid('json')), 200),
)

billingApi.openapi(untypedRoute('get', '/pricing'), async (c) =>
  c.json(await listPrices(dbOf(c)), 200),
)

const Price = z.number().int().min(0).max(1e12)
const Pricing = z
  .object({
    provider: z.string().min(1).max(100),
    model: z.string().min(1).max(200),
    input_per_mtok: Price,
    output_per_mtok: Price,
    reasoning_per_mtok: Price.optional(),
    cache_read_per_mtok: Price.default(0),
    cache_write_per_mtok: Price.default(0),
  })
  .openapi('ModelPrice')

/** Prices are the platform's, in micro-USD per million tokens; the operator sets them. */
billingApi.openapi(untypedRoute('put', '/pricing', body(Pricing)), async (c) =>
  c.json(await setPrice(dbOf(c), c.req.valid('json')), 200),
)
