import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Child, startProcess, waitUntilReady } from './proc'

export const ROOT = new URL('../../', import.meta.url).pathname
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')

export interface WranglerOptions {
  port: number
  inspectorPort: number
  /** Durable Object storage and other local state. */
  persistDir: string
  /** Vars for the Worker, written to a private env file (not the command line, not the repo). */
  vars: Record<string, string>
  varsFile: string
  /** Where wrangler's and the Worker's output goes; undefined = this terminal. */
  logFile?: string
}

/**
 * A dotenv file wrangler reads: values single-quoted (taken literally, so JSON survives),
 * double-quoted only when they contain a single quote.
 */
export function writeEnvFile(file: string, vars: Record<string, string>): void {
  const quote = (v: string) => (v.includes("'") ? JSON.stringify(v) : `'${v}'`)
  const text = Object.entries(vars)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join('\n')
  writeFileSync(file, `${text}\n`, { mode: 0o600 })
}

export function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=')
    if (i <= 0) continue
    const raw = line.slice(i + 1)
    vars[line.slice(0, i)] = raw.startsWith("'") ? raw.slice(1, -1) : JSON.parse(raw)
  }
  return vars
}

/** `wrangler dev` with the Durable Objects, started directly (not through npx) so it stops cleanly. */
export async function startWrangler(opts: WranglerOptions): Promise<Child> {
  writeEnvFile(opts.varsFile, opts.vars)
  const child = startProcess(
    'wrangler',
    process.execPath,
    [
      WRANGLER,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--inspector-port',
      String(opts.inspectorPort),
      '--persist-to',
      opts.persistDir,
      '--env-file',
      opts.varsFile,
      '--show-interactive-dev-session=false',
    ],
    {
      cwd: ROOT,
      logFile: opts.logFile,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', FORCE_COLOR: '0' },
    },
  )
  const url = `http://127.0.0.1:${opts.port}/health`
  await waitUntilReady(child, async () => (await fetch(url)).ok, 90_000)
  return child
}
