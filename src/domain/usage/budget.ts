/**
 * Each tenant's monthly budget (a warning) and spending limit (a refusal), in micro-USD,
 * against what the ledger holds for the current calendar month (UTC).
 */
import { eq, sql } from 'drizzle-orm'
import { ApiError, badRequest } from '../../lib/errors'
import { tenants } from '../../storage/postgres/schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import { usd } from './reports'

/** `limitOnly`: a tenant without a spending limit skips summing the month (task creation). */
export async function budgetOf(scope: Scope, limitOnly = false) {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      select t.monthly_budget_micros as budget, t.monthly_limit_micros as "limit",
             case when ${limitOnly} and t.monthly_limit_micros is null then 0
                  else (select coalesce(round(sum(cost_picos) / 1000000), 0) from token_usage
                         where voided_at is null and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')
             end::bigint as spent
        from tenants t`),
  )
  const r = rows[0] as { budget: string | null; limit: string | null; spent: string } | undefined
  const budget = r?.budget == null ? null : Number(r.budget)
  const limit = r?.limit == null ? null : Number(r.limit)
  const spent = Number(r?.spent ?? 0)
  return {
    monthly_budget_micros: budget,
    monthly_limit_micros: limit,
    spent_this_month_micros: spent,
    spent_this_month_usd: usd(spent),
    remaining_micros: limit === null ? null : Math.max(0, limit - spent),
    over_budget: budget !== null && spent >= budget,
    limit_reached: limit !== null && spent >= limit,
  }
}

export async function setBudget(
  scope: Scope,
  b: { monthly_budget_micros?: number | null; monthly_limit_micros?: number | null },
) {
  const set = {
    ...(b.monthly_budget_micros !== undefined
      ? { monthlyBudgetMicros: b.monthly_budget_micros }
      : {}),
    ...(b.monthly_limit_micros !== undefined ? { monthlyLimitMicros: b.monthly_limit_micros } : {}),
  }
  if (!Object.keys(set).length) {
    throw badRequest('Nothing to change: send monthly_budget_micros and/or monthly_limit_micros')
  }
  await tenantQuery(scope, (db) =>
    db.update(tenants).set(set).where(eq(tenants.id, scope.tenantId)),
  )
  return budgetOf(scope)
}

/** Work that would consume tokens is refused once this month's spending limit is reached. */
export async function assertWithinLimit(scope: Scope) {
  const b = await budgetOf(scope, true)
  if (!b.limit_reached) return
  throw new ApiError(
    402,
    'spending_limit_reached',
    `This month's spending limit of $${usd(b.monthly_limit_micros ?? 0)} is reached ($${b.spent_this_month_usd} spent): no new work that uses a model until it is raised or the month ends`,
    { spent_micros: b.spent_this_month_micros, limit_micros: b.monthly_limit_micros },
  )
}
