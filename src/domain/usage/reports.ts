/** What the ledger adds up to: totals per tenant, user, model, day or month, and recent rows. */
import { desc, sql } from 'drizzle-orm'
import { tokenUsage } from '../../storage/postgres/session-schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import type { Group } from './groups'

const keyOf: Record<Group, string> = {
  tenant: `tenant_id::text`,
  user: `coalesce(user_id, '')`,
  model: `provider || '/' || model`,
  day: `to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD')`,
  month: `to_char(date_trunc('month', created_at at time zone 'UTC'), 'YYYY-MM')`,
}

export async function usageSummary(scope: Scope, q: { groupBy: Group; from?: Date; to?: Date }) {
  const key = sql.raw(keyOf[q.groupBy])
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      select ${key} as key, count(*)::int as messages,
             sum(input_tokens)::bigint as input_tokens, sum(output_tokens)::bigint as output_tokens,
             sum(reasoning_tokens)::bigint as reasoning_tokens,
             sum(cache_read_tokens)::bigint as cache_read_tokens,
             sum(cache_write_tokens)::bigint as cache_write_tokens,
             round(sum(cost_picos) / 1000000)::bigint as cost_micros,
             bool_and(priced) as all_priced
        from token_usage
       where voided_at is null
         and (${q.from ?? null}::timestamptz is null or created_at >= ${q.from ?? null}::timestamptz)
         and (${q.to ?? null}::timestamptz is null or created_at < ${q.to ?? null}::timestamptz)
       group by 1 order by 1`),
  )
  const groups = (rows as Record<string, string | number | boolean>[]).map((r) => ({
    key: String(r.key),
    messages: Number(r.messages),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    reasoning_tokens: Number(r.reasoning_tokens),
    cache_read_tokens: Number(r.cache_read_tokens),
    cache_write_tokens: Number(r.cache_write_tokens),
    cost_micros: Number(r.cost_micros),
    cost_usd: usd(Number(r.cost_micros)),
    all_priced: Boolean(r.all_priced),
  }))
  // The total from the exact sums, not from the rounded groups.
  const { rows: all } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      select coalesce(round(sum(cost_picos) / 1000000), 0)::bigint as micros from token_usage
       where voided_at is null
         and (${q.from ?? null}::timestamptz is null or created_at >= ${q.from ?? null}::timestamptz)
         and (${q.to ?? null}::timestamptz is null or created_at < ${q.to ?? null}::timestamptz)`),
  )
  const total = Number((all[0] as { micros: string }).micros)
  return { group_by: q.groupBy, groups, total_cost_micros: total, total_cost_usd: usd(total) }
}

export async function recentUsage(scope: Scope, limit: number) {
  const rows = await tenantQuery(scope, (db) =>
    db.select().from(tokenUsage).orderBy(desc(tokenUsage.id)).limit(limit),
  )
  return rows.map((r) => ({
    id: r.id,
    user_id: r.userId,
    provider: r.provider,
    model: r.model,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    reasoning_tokens: r.reasoningTokens,
    cache_read_tokens: r.cacheReadTokens,
    cache_write_tokens: r.cacheWriteTokens,
    cost_micros: micros(r.costPicos),
    cost_usd: usd(micros(r.costPicos)),
    priced: r.priced,
    session_id: r.sessionId,
    task_id: r.taskId,
    message_id: r.messageId,
    created_at: r.createdAt.toISOString(),
    reported_by: r.reportedBy,
    voided_at: r.voidedAt?.toISOString() ?? null,
    voided_by: r.voidedBy,
  }))
}

/**
 * An admin voids a false entry: it stays in the ledger, marked, and no longer counts toward
 * any total or the spending limit. Undefined when there is no such live entry.
 */
export async function voidUsage(scope: Scope, id: number) {
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      update token_usage set voided_at = now(), voided_by = ${scope.principal.subject}
       where id = ${id} and voided_at is null
      returning id, message_id, reported_by`),
  )
  // Raw SQL: the bigint id arrives as Postgres's text, and is passed on so.
  return rows[0] as { id: string; message_id: string; reported_by: string | null } | undefined
}

/** Pico-USD to micro-USD, rounded half up, in integers. */
const micros = (picos: number) => Math.round(picos / 1_000_000)

/** Micro-USD as a decimal string, exactly (no float on the way). */
export function usd(micros: number): string {
  const sign = micros < 0 ? '-' : ''
  const m = String(Math.abs(micros)).padStart(7, '0')
  return `${sign}${m.slice(0, -6)}.${m.slice(-6)}`
}
