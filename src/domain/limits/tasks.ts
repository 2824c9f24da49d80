/**
 * What every way of creating a task checks first (REST, A2A, MCP, cron, a delegation): the
 * prompt's size, the tenant's tasks per minute and the creator's own. The rates are sliding
 * windows in Redis whose counts travel in batches under load (tally.ts), so a busy tenant
 * pays no Redis round trip per task.
 */
import type { Scope } from '../scope'
import { accountKey } from './account'
import { enforceRate } from './rate-limit'
import { limitsOf } from './settings'
import { assertSize } from './table'

export async function admitTask(scope: Scope, prompt: string | undefined): Promise<void> {
  const limits = await limitsOf(scope)
  if (prompt) assertSize('prompt_bytes', limits.prompt_bytes, prompt)
  const later = (p: Promise<void>) => scope.waitUntil(p)
  const { tenantId, config } = scope
  await Promise.all([
    enforceRate(config, 'tasks_per_minute', limits.tasks_per_minute, tenantId, { later }),
    enforceRate(
      config,
      'tasks_per_minute_per_principal',
      limits.tasks_per_minute_per_principal,
      accountKey(scope),
      { later },
    ),
  ])
}
