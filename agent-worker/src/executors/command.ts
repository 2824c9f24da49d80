import { jobGate } from './approval.js'
import { runProcess } from './process.js'
import type { ExecContext, ExecResult, Executor } from './types.js'

/**
 * Runs the task as a shell command (metadata.command, else the prompt) in the codebase: for
 * scripts and CI-like jobs. Its output lines stream as they come; exit 0 completes the task
 * with the output's tail as the result.
 */
export const commandExecutor: Executor = {
  name: 'command',
  async run(ctx: ExecContext): Promise<ExecResult> {
    const command = String(ctx.task.metadata.command ?? ctx.task.prompt).trim()
    if (!command)
      return { status: 'failed', error: 'No command: set metadata.command or the prompt' }
    // A command may change anything: it runs only under `all` or with a person's approval.
    const waiting = await jobGate(ctx, 'run_command', { command })
    if (waiting) return waiting
    const tail: string[] = []
    const run = await runProcess(
      ctx,
      '/bin/sh',
      ['-c', command],
      (line) => {
        ctx.emit(line)
        tail.push(line)
        if (tail.length > 50) tail.shift()
      },
      // The gate let this (changing) action through: `all`, or a person approved it.
      { writable: true },
    )
    if (run.aborted) return { status: 'failed', error: 'cancelled' }
    if (run.code === 0) return { status: 'completed', result: tail.join('\n') }
    const why = run.code === null ? `killed by ${run.signal}` : `exit code ${run.code}`
    return {
      status: 'failed',
      error: [`${command}: ${why}`, ...run.stderrTail.slice(-5)].join('\n'),
    }
  },
}
