import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'

export interface Child {
  name: string
  proc: ChildProcess
  logFile: string | undefined
  exited: Promise<number | null>
  stop(timeoutMs?: number): Promise<void>
}

export interface StartOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Run as this user (the stack runs Postgres as `postgres` when started by root). */
  uid?: number
  gid?: number
  /** Append output here; without it, output goes to this process's stdout/stderr. */
  logFile?: string
  stopSignal?: NodeJS.Signals
}

const running = new Set<Child>()

/**
 * Starts a long-running child in its own process group, so that stopping it also stops
 * whatever it started (wrangler starts workerd, workerd starts more).
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: StartOptions = {},
): Child {
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'inherit'
  const proc = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    uid: opts.uid,
    gid: opts.gid,
    detached: true,
    stdio: ['ignore', out, out],
  })
  if (typeof out === 'number') closeSync(out)
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)))
    proc.once('error', () => resolve(-1))
  })
  const child: Child = {
    name,
    proc,
    logFile: opts.logFile,
    exited,
    async stop(timeoutMs = 10_000) {
      running.delete(child)
      if (proc.exitCode !== null || proc.signalCode !== null) return
      signalGroup(proc, opts.stopSignal ?? 'SIGTERM')
      const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), timeoutMs)
      await exited
      clearTimeout(timer)
      // Grandchildren (workerd under wrangler) may outlive the leader for a moment.
      signalGroup(proc, 'SIGKILL')
    },
  }
  running.add(child)
  return child
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals) {
  if (proc.pid === undefined) return
  try {
    process.kill(-proc.pid, signal)
  } catch {
    // already gone
  }
}

/** Last lines of a child's log, to explain why it failed to start. */
export function logTail(file: string | undefined, lines = 30): string {
  if (!file) return ''
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/**
 * Polls `ready` until it resolves true. Fails fast, with the log tail, if the child dies;
 * stops it if it never gets ready.
 */
export async function waitUntilReady(
  child: Child,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let died = false
  child.exited.then(() => {
    died = true
  })
  while (Date.now() < deadline) {
    if (died) throw new Error(`${child.name} exited while starting:\n${logTail(child.logFile)}`)
    if (await ready().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  await child.stop()
  throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${logTail(child.logFile)}`)
}

/** Last resort on exit: no child outlives the stack, even when it dies unexpectedly. */
process.once('exit', () => {
  for (const child of running) signalGroup(child.proc, 'SIGKILL')
})
