/**
 * What every way of creating a task checks first (REST, A2A, MCP, cron, a delegation): the
 * prompt's size, and the creator's own tasks per minute. The tenant's tasks per minute are
 * counted by the insert itself (app.insert_task), with the limits answered here.
 */
import type { Scope } from '../tasks/scope'
import { accountOf } from './account'
import { enforceRate } from './rate-limit'
import { limitsOf } from './settings'
import { assertSize, type Limits } from './table'

export async function admitTask(scope: Scope, prompt: string | undefined): Promise<Limits> {
  const limits = await limitsOf(scope)
  if (prompt) assertSize('prompt_bytes', limits.prompt_bytes, prompt)
  await enforceRate(
    scope.config,
    'tasks_per_minute_per_principal',
    limits.tasks_per_minute_per_principal,
    `${scope.tenantId}:${accountOf(scope.principal)}`,
  )
  return limits
}
