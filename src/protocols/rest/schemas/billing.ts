import { z } from '@hono/zod-openapi'
import { GROUPS } from '../../../domain/usage/groups'

const int = z.number().int()
const usd = z
  .string()
  .openapi({ description: 'US dollars, exactly (6 decimals)', example: '0.012500' })

export const BudgetStatus = z
  .object({
    monthly_budget_micros: int.nullable().openapi({ description: 'A warning; null: none' }),
    monthly_limit_micros: int.nullable().openapi({ description: 'A refusal; null: none' }),
    spent_this_month_micros: int,
    spent_this_month_usd: usd,
    remaining_micros: int.nullable().openapi({ description: 'Null without a limit' }),
    over_budget: z.boolean(),
    limit_reached: z.boolean(),
  })
  .openapi('BudgetStatus')

const Tokens = {
  input_tokens: int,
  output_tokens: int,
  reasoning_tokens: int,
  cache_read_tokens: int,
  cache_write_tokens: int,
}

export const UsageGroup = z
  .object({
    key: z
      .string()
      .openapi({ description: 'The group: a tenant, user, provider/model, day or month' }),
    messages: int,
    ...Tokens,
    cost_micros: int,
    cost_usd: usd,
    all_priced: z.boolean().openapi({ description: 'False: some messages had no price' }),
  })
  .openapi('UsageGroup')

export const UsageSummary = z
  .object({
    group_by: z.enum(GROUPS),
    groups: z.array(UsageGroup),
    total_cost_micros: int,
    total_cost_usd: usd,
    budget: BudgetStatus,
  })
  .openapi('UsageSummary')

/** One row of the ledger (`recentUsage`). */
export const UsageEntry = z
  .object({
    id: int,
    user_id: z.string().nullable(),
    provider: z.string(),
    model: z.string(),
    ...Tokens,
    cost_micros: int,
    cost_usd: usd,
    priced: z.boolean(),
    session_id: z.string().nullable(),
    task_id: z.string().nullable(),
    message_id: z.string(),
    created_at: z.iso.datetime(),
    reported_by: z.string().nullable(),
    voided_at: z.iso.datetime().nullable(),
    voided_by: z.string().nullable(),
  })
  .openapi('UsageEntry')

export const UsageVoided = z
  .object({
    success: z.literal(true),
    voided: z.object({
      // A raw bigint column: Postgres sends it as text and it is passed on as it came.
      id: z.string().openapi({ description: 'The entry id, as a decimal string' }),
      message_id: z.string(),
      reported_by: z.string().nullable(),
    }),
  })
  .openapi('UsageVoided')

// GET reads the table raw, so its bigints come as decimal strings; PUT answers the row as
// drizzle maps it (camelCase, numbers). Both as they are sent, not as they ought to be.
const microsText = z
  .string()
  .openapi({ description: 'Micro-USD per million tokens, as a decimal string' })

export const ModelPriceRow = z
  .object({
    provider: z.string(),
    model: z.string(),
    input_per_mtok: microsText,
    output_per_mtok: microsText,
    reasoning_per_mtok: microsText,
    cache_read_per_mtok: microsText,
    cache_write_per_mtok: microsText,
    updated_at: z.string().openapi({
      description: "Postgres's text form of the time (e.g. 2025-01-31 12:00:00.5+00), not ISO 8601",
    }),
  })
  .openapi('ModelPriceRow')

export const ModelPriceSaved = z
  .object({
    provider: z.string(),
    model: z.string(),
    inputPerMtok: int,
    outputPerMtok: int,
    reasoningPerMtok: int,
    cacheReadPerMtok: int,
    cacheWritePerMtok: int,
    updatedAt: z.iso.datetime(),
  })
  .openapi('ModelPriceSaved')
