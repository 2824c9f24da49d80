/**
 * The token-usage ledger: one row per billable assistant message, priced when it is written
 * from `model_pricing` (the longest model name the message's model starts with). Prices are
 * micro-USD per million tokens, so tokens × price is an exact integer in pico-USD; sums stay
 * exact and round to micro-USD once, at the end. No floating point anywhere.
 */
import { sql } from 'drizzle-orm'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

export interface UsageEntry {
  provider: string
  model: string
  input: number
  /** Output tokens other than reasoning (reasoning is counted on its own). */
  output: number
  reasoning: number
  cache_read: number
  cache_write: number
  messageId: string
  sessionId?: string
  taskId?: string
}

/** Records each entry once (a message id seen before is skipped); returns how many were new. */
export async function recordUsage(
  scope: Scope,
  entries: UsageEntry[],
  by: { reportedBy: string; userId?: string },
) {
  const userId = by.userId
  if (!entries.length) return 0
  const json = JSON.stringify(
    entries.map((e) => ({
      user_id: userId ?? scope.principal.userId ?? null,
      provider: e.provider.toLowerCase(),
      model: e.model,
      input: e.input,
      output: e.output,
      reasoning: e.reasoning,
      cache_read: e.cache_read,
      cache_write: e.cache_write,
      session_id: e.sessionId ?? null,
      task_id: e.taskId ?? null,
      message_id: e.messageId,
      reported_by: by.reportedBy,
    })),
  )
  const { rows } = await tenantQuery(scope, (db) =>
    db.execute(sql`
      insert into token_usage (tenant_id, user_id, provider, model, input_tokens, output_tokens,
                               reasoning_tokens, cache_read_tokens, cache_write_tokens,
                               cost_picos, priced, session_id, task_id, message_id,
                               reported_by)
      select ${scope.tenantId}::uuid, u.user_id, u.provider, u.model, u.input, u.output,
             u.reasoning, u.cache_read, u.cache_write,
             coalesce(u.input * p.input_per_mtok + u.output * p.output_per_mtok
                      + u.reasoning * p.reasoning_per_mtok + u.cache_read * p.cache_read_per_mtok
                      + u.cache_write * p.cache_write_per_mtok, 0),
             p.provider is not null, u.session_id, u.task_id, u.message_id, u.reported_by
        from jsonb_to_recordset(${json}::jsonb) as u(
               user_id text, provider text, model text, input bigint, output bigint,
               reasoning bigint, cache_read bigint, cache_write bigint, session_id text,
               task_id text, message_id text, reported_by text)
        left join lateral (
          select * from model_pricing mp
           where mp.provider = u.provider and left(u.model, length(mp.model)) = mp.model
           order by length(mp.model) desc limit 1) p on true
      on conflict (tenant_id, message_id) do nothing
      returning id`),
  )
  return rows.length
}
