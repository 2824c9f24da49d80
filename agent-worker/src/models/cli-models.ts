/**
 * The models of the coding CLIs this machine has and is logged in to, as `<cli>/<model>`: a
 * task naming one runs in that CLI with that model (executors/index.ts pick). Claude Code and
 * Codex take their own model names (Claude's aliases follow its newest models); opencode lists
 * the models of the providers it is logged in to (`opencode models`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CLI_KEYS } from '../executors/coding-cli.js'
import { childEnv } from '../executors/sandbox.js'
import { codexHome } from '../sessions/codex-store.js'
import type { DiscoveredModel } from './discover.js'

/** What each CLI offers when it is logged in, beyond opencode's own list. */
const OWN: Record<'claude' | 'codex', readonly string[]> = {
  claude: ['sonnet', 'opus', 'haiku'],
  codex: ['gpt-5-codex', 'gpt-5'],
}

/** Logged in: an API key the CLI reads, or the credentials its login left. */
function loggedIn(cli: 'claude' | 'codex', env: NodeJS.ProcessEnv): boolean {
  const home = env.HOME ?? homedir()
  if (cli === 'claude')
    return Boolean(env.ANTHROPIC_API_KEY) || existsSync(join(home, '.claude', '.credentials.json'))
  return Boolean(env.OPENAI_API_KEY) || existsSync(join(codexHome(env), 'auth.json'))
}

/** `opencode models`: one `provider/model` per line, for the providers it can use. */
function opencodeModels(env: NodeJS.ProcessEnv, warn: (msg: string) => void): string[] {
  // As the opencode executor runs it: without the worker's token or unrelated secrets.
  const r = spawnSync('opencode', ['models'], {
    env: childEnv(env, CLI_KEYS),
    encoding: 'utf8',
    timeout: 15_000,
  })
  if (r.status !== 0) {
    warn(`opencode models: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`)
    return []
  }
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[\w.-]+\/\S+$/.test(l))
}

/**
 * `installed`: the coding CLIs found on PATH (executors' `usable`). `env`: the worker's own
 * environment, as the CLIs get it (not the keys it took from opencode for its LLM loop).
 */
export function cliModels(
  installed: readonly string[],
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
): DiscoveredModel[] {
  const found: DiscoveredModel[] = []
  const add = (cli: string, model: string) =>
    found.push({ id: `${cli}/${model}`, name: model, provider: cli, source: 'cli' })
  for (const cli of ['claude', 'codex'] as const)
    if (installed.includes(cli) && loggedIn(cli, env)) for (const m of OWN[cli]) add(cli, m)
  if (installed.includes('opencode')) for (const m of opencodeModels(env, warn)) add('opencode', m)
  return found
}
