import { OpenAPIHono, z } from '@hono/zod-openapi'
import { type AppEnv, dbOf } from '../../context'
import { budgetOf, setBudget } from '../../domain/usage/budget'
import { GROUPS } from '../../domain/usage/groups'
import { listPrices, setPrice } from '../../domain/usage/pricing'
import { recentUsage, usageSummary, voidUsage } from '../../domain/usage/reports'
import { notFound, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import {
  BudgetStatus,
  ModelPriceRow,
  ModelPriceSaved,
  UsageEntry,
  UsageSummary,
  UsageVoided,
} from './schemas/billing'
import { auditRequest, scopeOf } from './scope'

/** /v1/token-billing: the usage ledger's summaries, the tenant's budget, model prices. */
export const billingApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

billingApi.openapi(
  route(
    'get',
    '/usage/summary',
    {
      query: z.object({
        group_by: z.enum(GROUPS).default('model'),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      }),
    },
    UsageSummary,
  ),
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
  route(
    'get',
    '/usage/recent',
    { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
    z.array(UsageEntry),
    'Ledger entries, newest first',
  ),
  async (c) => c.json(await recentUsage(scopeOf(c), c.req.valid('query').limit), 200),
)

/** POST /usage/{id}/void: an admin takes a false report out of every total (kept, marked). */
billingApi.openapi(
  route(
    'post',
    '/usage/{id}/void',
    { params: z.object({ id: z.coerce.number().int().positive() }) },
    UsageVoided,
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    const voided = await voidUsage(scopeOf(c), id)
    if (!voided) throw notFound(`Live usage entry ${id}`)
    auditRequest(c, { action: 'usage_voided', target: `usage:${id}`, detail: voided })
    return c.json({ success: true as const, voided }, 200)
  },
)

billingApi.openapi(route('get', '/budget', undefined, BudgetStatus), async (c) =>
  c.json(await budgetOf(scopeOf(c)), 200),
)

const Budget = z
  .object({
    monthly_budget_micros: z.number().int().min(0).nullable().optional(),
    monthly_limit_micros: z.number().int().min(0).nullable().optional(),
  })
  .openapi('Budget')

billingApi.openapi(route('put', '/budget', body(Budget), BudgetStatus), async (c) =>
  c.json(await setBudget(scopeOf(c), c.req.valid('json')), 200),
)

billingApi.openapi(route('get', '/pricing', undefined, z.array(ModelPriceRow)), async (c) =>
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
billingApi.openapi(route('put', '/pricing', body(Pricing), ModelPriceSaved), async (c) =>
  c.json(await setPrice(dbOf(c), c.req.valid('json')), 200),
)
