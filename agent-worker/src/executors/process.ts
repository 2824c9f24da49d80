import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { ExecContext } from './types.js'

export interface ProcessOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  /** The last lines of stderr, for the error message of a failed run. */
  stderrTail: string[]
  aborted: boolean
}

/**
 * Runs a command in the task's codebase as its own process group (so cancel and a restarted
 * worker can stop it and everything it started), with the scrubbed environment. Each stdout
 * line goes to `onLine`; stderr lines are emitted as `[stderr] …`, as upstream's worker did.
 */
export function runProcess(
  ctx: ExecContext,
  command: string,
  args: string[],
  onLine: (line: string) => void,
  options: { stdin?: string; cwd?: string } = {},
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ctx.task.codebasePath,
      env: ctx.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const stderrTail: string[] = []
    let aborted = false
    const kill = () => {
      aborted = true
      killGroup(child.pid, 'SIGTERM')
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000).unref()
    }
    if (child.pid) ctx.onProcess(child.pid)
    ctx.signal.addEventListener('abort', kill, { once: true })
    child.stdin.on('error', () => {})
    child.stdin.end(options.stdin ?? '')
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line)
      if (stderrTail.length > 20) stderrTail.shift()
      ctx.emit(`[stderr] ${line}`)
    })
    child.once('error', (err) => {
      stderrTail.push(err.message)
    })
    child.once('close', (code, signal) => {
      ctx.signal.removeEventListener('abort', kill)
      resolve({ code, signal, stderrTail, aborted })
    })
  })
}

/** Signals a whole process group; a group already gone is fine. */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals) {
  if (!pgid) return
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: nothing left to stop.
  }
}
