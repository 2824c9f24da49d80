import { existsSync, readFileSync } from 'node:fs'
import { homedir, hostname } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { realPathOf } from './executors/sandbox.js'

/**
 * Settings come from, lowest first: defaults, the config file, CODETETHER_* environment
 * variables, then flags. Every source is validated by the same schema, so a bad value names
 * its setting whichever source it came from.
 */
const Settings = z.object({
  server: z.url().default('http://127.0.0.1:8787'),
  token: z.string().min(1).optional(),
  codebases: z.array(z.string().min(1)).default([]),
  autoApprove: z.enum(['all', 'safe', 'none']).default('safe'),
  sandbox: z.enum(['auto', 'required', 'off']).default('auto'),
  sandboxRead: z.array(z.string().min(1)).default([]),
  name: z.string().min(1).max(200).default(hostname()),
  concurrency: z.coerce.number().int().min(1).max(64).default(2),
  executor: z.string().min(1).default('auto'),
  model: z.string().min(1).optional(),
  capabilities: z.array(z.string().min(1)).default([]),
  /** Serve the home directory as this worker's global codebase (tasks for `global` run there). */
  global: z.union([z.boolean(), z.stringbool()]).default(true),
  stateDir: z.string().min(1).optional(),
  pollSeconds: z.coerce.number().min(1).max(3600).default(30),
  heartbeatSeconds: z.coerce.number().min(1).max(600).default(15),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
})
export type Settings = z.infer<typeof Settings> & { stateDir: string }

const ENV: Record<string, keyof Settings> = {
  CODETETHER_SERVER: 'server',
  CODETETHER_TOKEN: 'token',
  CODETETHER_CODEBASES: 'codebases',
  CODETETHER_AUTO_APPROVE: 'autoApprove',
  CODETETHER_SANDBOX: 'sandbox',
  CODETETHER_SANDBOX_READ: 'sandboxRead',
  CODETETHER_WORKER_NAME: 'name',
  CODETETHER_CONCURRENCY: 'concurrency',
  CODETETHER_EXECUTOR: 'executor',
  CODETETHER_MODEL: 'model',
  CODETETHER_CAPABILITIES: 'capabilities',
  CODETETHER_GLOBAL: 'global',
  CODETETHER_STATE_DIR: 'stateDir',
  CODETETHER_POLL_SECONDS: 'pollSeconds',
}
const LISTS = new Set<keyof Settings>(['codebases', 'capabilities', 'sandboxRead'])

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export class ConfigError extends Error {}

export function configPath(env: NodeJS.ProcessEnv, flag?: string): string {
  return (
    flag ??
    env.CODETETHER_CONFIG ??
    join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'codetether', 'config.json')
  )
}

/** Where workers keep their state by default, each under its name. */
export const stateRoot = (env: NodeJS.ProcessEnv) =>
  join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'codetether')

/** Merges the sources; `flags` holds only what was given on the command line. */
export function loadSettings(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const file = configPath(env, flags.config as string | undefined)
  let fromFile: Record<string, unknown> = {}
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'))
    } catch (err) {
      throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`)
    }
  } else if (flags.config) {
    throw new ConfigError(`Config file ${file} does not exist`)
  }
  const fromEnv: Record<string, unknown> = {}
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name]
    if (v !== undefined && v !== '') fromEnv[key] = LISTS.has(key) ? list(v) : v
  }
  const fromFlags: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || k === 'config') continue
    fromFlags[k] = LISTS.has(k as keyof Settings) && typeof v === 'string' ? list(v) : v
  }
  const parsed = Settings.safeParse({ ...fromFile, ...fromEnv, ...fromFlags })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ConfigError(`Invalid setting ${issue?.path.join('.') || '?'}: ${issue?.message}`)
  }
  const s = parsed.data
  const safeName = s.name.replace(/[^A-Za-z0-9._-]/g, '_')
  // Real paths: what the worker judges, registers and confines tasks to is where files are.
  return {
    ...s,
    codebases: s.codebases.map(realPathOf),
    sandboxRead: s.sandboxRead.map(realPathOf),
    stateDir: realPathOf(s.stateDir ?? join(stateRoot(env), safeName)),
  }
}
