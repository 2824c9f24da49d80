import type { ExecContext, PendingAction } from './types.js'

/** Thrown inside a tool to stop the run and ask a person (the task goes input-required). */
export class NeedsApproval extends Error {
  constructor(readonly pending: PendingAction) {
    super(pending.reason)
  }
}

/** JSON with every object's keys sorted, at every depth: one text per value. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

/**
 * The stable name of an action: what a person approves. Computed by the worker from the tool
 * and its whole input, both when it asks and when it is about to act, so an approval of one
 * action never covers another.
 */
export function actionKey(tool: string, input: unknown): string {
  return `${tool}:${canonical(input)}`
}

/**
 * May this action run? Read-only ones always; others when the worker allows everything, or
 * when the server delivered a person's approval of this exact action, which is taken (once)
 * now. Otherwise `safe` refuses: the LLM loop gets a refusal it can work around (`ask`
 * false), a job that cannot (a command, a clone) waits for a person like under `none`.
 */
export async function gate(
  ctx: ExecContext,
  tool: string,
  input: unknown,
  readOnly: boolean,
  { ask = false } = {},
): Promise<string | undefined> {
  if (readOnly || ctx.approval === 'all') return undefined
  if (await ctx.approvals.take(tool, input)) return undefined
  if (ctx.approval === 'safe' && !ask) {
    return `Refused: ${tool} changes the codebase and this worker runs with --auto-approve safe (read-only tools only).`
  }
  throw new NeedsApproval({
    tool,
    input,
    key: actionKey(tool, input),
    reason: `${tool} needs approval`,
  })
}

/** gate() for a job: the verdict as the job's outcome, or undefined when it may go on. */
export async function jobGate(
  ctx: ExecContext,
  tool: string,
  input: unknown,
  readOnly = false,
): Promise<{ status: 'input-required'; pending: PendingAction } | undefined> {
  try {
    await gate(ctx, tool, input, readOnly, { ask: true })
    return undefined
  } catch (err) {
    if (err instanceof NeedsApproval) return { status: 'input-required', pending: err.pending }
    throw err
  }
}
