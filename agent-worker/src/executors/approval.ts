import type { ExecContext, PendingAction } from './types.js'

/** Thrown inside a tool to stop the run and ask a person (auto-approve `none`). */
export class NeedsApproval extends Error {
  constructor(readonly pending: PendingAction) {
    super(pending.reason)
  }
}

/** The stable name of an action, what a person approves (metadata.approved_actions). */
export function actionKey(tool: string, input: unknown): string {
  return `${tool}:${JSON.stringify(input, Object.keys((input ?? {}) as object).sort())}`
}

/**
 * May this tool run? Read-only tools always; others when the worker allows everything or a
 * person approved this exact action. Otherwise `safe` answers the model with a refusal it can
 * work around, and `none` stops the task to ask.
 */
export function gate(
  ctx: ExecContext,
  tool: string,
  input: unknown,
  readOnly: boolean,
): string | undefined {
  if (readOnly || ctx.approval === 'all') return undefined
  const key = actionKey(tool, input)
  if (ctx.approved.includes(key)) return undefined
  if (ctx.approval === 'safe') {
    return `Refused: ${tool} changes the codebase and this worker runs with --auto-approve safe (read-only tools only).`
  }
  throw new NeedsApproval({ tool, input, key, reason: `${tool} needs approval` })
}
