import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Bind } from './bwrap.js'
import type { ExecContext } from './types.js'

export interface ProcessOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  /** The last lines of stderr, for the error message of a failed run. */
  stderrTail: string[]
  aborted: boolean
}

export interface RunOptions {
  stdin?: string
  /** Inside the codebase; the codebase itself by default. */
  cwd?: string
  /** May the process change the codebase? Default: mayWrite(ctx). */
  writable?: boolean
  /** Host paths the tool needs besides the codebase (its own state), visible in the sandbox. */
  binds?: readonly Bind[]
}

/** The default of every run: writable when the context says so, else only under `all`. */
export const mayWrite = (ctx: ExecContext) => ctx.writable ?? ctx.approval === 'all'

/**
 * Runs a command in the task's codebase, inside the worker's sandbox, as its own process
 * group (so cancel and a restarted worker can stop it and everything it started), with the
 * scrubbed environment. Each stdout line goes to `onLine`; stderr lines are emitted as
 * `[stderr] …`, as upstream's worker did.
 */
export function runProcess(
  ctx: ExecContext,
  command: string,
  args: string[],
  onLine: (line: string) => void,
  options: RunOptions = {},
): Promise<ProcessOutcome> {
  // Failing closed: a context that skipped executors() must not run unconfined by accident.
  if (!ctx.sandbox) throw new Error('runProcess: no sandbox in the context (use executors())')
  const cwd = options.cwd ?? ctx.task.codebasePath
  const [file, argv] = ctx.sandbox.wrap(command, args, {
    codebase: ctx.task.codebasePath,
    writable: options.writable ?? mayWrite(ctx),
    cwd,
    binds: options.binds ?? [],
    env: ctx.env,
  })
  return new Promise((resolve) => {
    const child = spawn(file, argv, {
      cwd,
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
