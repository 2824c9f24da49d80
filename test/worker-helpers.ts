/** The real agent worker as a child process (`codetether worker`), for the worker suites. */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { api, stack, testDir } from './helpers'

export const CLI = join(import.meta.dirname, '..', 'agent-worker', 'dist', 'cli.js')
export const FAKE_BIN = join(import.meta.dirname, 'fakes', 'bin')

/** A fresh directory under the test run's temp dir. */
export const tempDir = (prefix: string) => {
  mkdirSync(join(testDir(), 'tmp'), { recursive: true })
  return mkdtempSync(join(testDir(), 'tmp', `${prefix}-`))
}

export interface WorkerProcess {
  child: ChildProcess
  log: string
  stateDir: string
  output(): string
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `codetether worker` with flags and extra environment; its stderr goes to a log file. */
export function startWorker(
  args: string[],
  opts: { env?: Record<string, string>; server?: string; stateDir?: string; name?: string } = {},
): WorkerProcess {
  const stateDir = opts.stateDir ?? tempDir('state')
  const log = join(stateDir, '..', `${opts.name ?? 'worker'}-${Date.now()}.log`)
  const child = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--server',
      opts.server ?? stack().url,
      '--state-dir',
      stateDir,
      '--name',
      opts.name ?? 'test-worker',
      ...args,
    ],
    {
      env: {
        PATH: process.env.PATH,
        // Its own home: what coding CLIs keep there (Claude's sessions) stays in the test.
        HOME: tempDir('home'),
        NO_COLOR: '1',
        CODETETHER_TOKEN: stack().devToken,
        CODETETHER_CONFIG: '/nonexistent-on-purpose.json',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const file = createWriteStream(log)
  child.stdout?.pipe(file)
  child.stderr?.pipe(file)
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return {
    child,
    log,
    stateDir,
    // The log file opens with the first write: nothing said yet is an empty log.
    output: () => (existsSync(log) ? readFileSync(log, 'utf8') : ''),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** Polls until `check` answers something truthy (a worker's effects are asynchronous). */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 20_000,
) {
  const deadline = Date.now() + ms
  for (;;) {
    const got = await check()
    if (got) return got
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** Whether a process with exactly this argv runs on this machine (sandboxed ones too). */
export function running(argv: string[]): boolean {
  const wanted = `${argv.join('\0')}\0`
  return readdirSync('/proc').some((pid) => {
    if (!/^\d+$/.test(pid)) return false
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted
    } catch {
      return false // it exited while we looked
    }
  })
}

/** The id of the workspace a worker registered for `path` (in the token's tenant). */
export const workspaceOf = (path: string, token?: string) =>
  until(`workspace ${path}`, async () => {
    const res = await api(`/v1/agent/codebases?path=${encodeURIComponent(path)}`, { token })
    const rows = (await res.json()) as { id: string; worker_id: string | null }[]
    return rows.find((r) => r.worker_id)?.id
  })

/** Creates a task through `server` (the one the worker is connected to, for the push). */
export async function createWorkspaceTask(
  workspaceId: string,
  body: Record<string, unknown>,
  server = stack().url,
  token?: string,
) {
  const res = await api(new URL(`/v1/agent/codebases/${workspaceId}/tasks`, server).href, {
    method: 'POST',
    json: body,
    token,
  })
  if (res.status !== 200) throw new Error(`create task: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string }
}

export const getTask = async (id: string, token?: string) =>
  (await (await api(`/v1/agent/tasks/${id}`, { token })).json()) as {
    status: string
    result: string | null
    error: string | null
    worker_id: string | null
    metadata: Record<string, unknown>
  }

/** Waits for a task to reach a final (or waiting) state. */
export const settled = (id: string, ms = 30_000, token?: string) =>
  until(
    `task ${id} to finish`,
    async () => {
      const t = await getTask(id, token)
      return ['completed', 'failed', 'cancelled', 'needs_input'].includes(t.status) && t
    },
    ms,
  )

/** Every stored output line of a task, read page by page. */
export async function outputsOf(id: string, token?: string) {
  const lines: string[] = []
  for (let since = 0; ; ) {
    const page = (await (
      await api(`/v1/agent/tasks/${id}/output?since=${since}`, { token })
    ).json()) as {
      outputs: { output: string; seq: number }[]
      next_since: number
      more: boolean
    }
    lines.push(...page.outputs.map((o) => o.output))
    if (!page.more) return lines
    since = page.next_since
  }
}

export const readFile = (p: string) => readFileSync(p, 'utf8')
