import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import {
  baseUrlVariableOf,
  COMPATIBLE,
  keyVariableOf,
  NATIVE,
} from '@codetether/agent-kit/provider-table'

/** How a provider lists its models. */
export type ListProtocol = 'openai' | 'anthropic' | 'google'

/** A provider this machine can use: where its API is and the key for it (never sent anywhere else). */
export interface Credential {
  provider: string
  protocol: ListProtocol
  base: string
  key?: string
  /** Where the key came from: this environment, or opencode's auth.json. */
  from: 'env' | 'opencode'
}

/** opencode's data: its logins (auth.json) and its sessions (storage/). */
export const opencodeData = (env: NodeJS.ProcessEnv) =>
  join(env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), '.local', 'share'), 'opencode')

/** opencode's stored logins: `{ "<provider>": { "type": "api", "key": "…" } | { "type": "oauth", … } }`. */
export const opencodeAuthFile = (env: NodeJS.ProcessEnv) => join(opencodeData(env), 'auth.json')

/**
 * The API keys opencode holds that this environment lacks, as the variables the LLM loop reads:
 * a provider the user logged in to with opencode works for the worker's own loop too. Logins
 * by OAuth (a subscription) are opencode's own and are not taken.
 */
export function opencodeKeys(env: NodeJS.ProcessEnv): Record<string, string> {
  const file = opencodeAuthFile(env)
  if (!existsSync(file)) return {}
  let auth: Record<string, { type?: string; key?: unknown }>
  try {
    auth = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return {}
  }
  const keys: Record<string, string> = {}
  for (const [provider, login] of Object.entries(auth ?? {})) {
    if (!/^[a-z0-9-]+$/.test(provider) || login?.type !== 'api') continue
    if (typeof login.key !== 'string' || !login.key) continue
    const name = keyVariableOf(provider)
    if (!env[name]) keys[name] = login.key
  }
  return keys
}

/**
 * Every provider with a key in `env` (which holds opencode's keys too, see opencodeKeys),
 * and every OpenAI-compatible server named by a `<PROVIDER>_BASE_URL`.
 */
export function credentials(env: NodeJS.ProcessEnv, fromOpencode: ReadonlySet<string>) {
  const found: Credential[] = []
  const from = (keyName: string) => (fromOpencode.has(keyName) ? 'opencode' : 'env')
  for (const [provider, p] of Object.entries(NATIVE)) {
    const key = env[p.key]
    const base = env[baseUrlVariableOf(provider)] ?? p.base
    if (key)
      found.push({ provider, protocol: provider as ListProtocol, base, key, from: from(p.key) })
  }
  const compatible = new Set([
    ...Object.keys(COMPATIBLE).filter((p) => p !== 'ollama'),
    ...Object.keys(env)
      .filter((k) => k.endsWith('_BASE_URL') && env[k])
      .map((k) => k.slice(0, -'_BASE_URL'.length).toLowerCase().replace(/_/g, '-')),
  ])
  for (const provider of compatible) {
    if (provider in NATIVE || !/^[a-z0-9-]+$/.test(provider)) continue
    const keyName = keyVariableOf(provider)
    const key = env[keyName]
    const base = env[baseUrlVariableOf(provider)] ?? COMPATIBLE[provider]?.base
    // A known provider needs its key; a server of the user's own (a base URL) may need none.
    if (!base || (!key && COMPATIBLE[provider]?.key)) continue
    found.push({ provider, protocol: 'openai', base, key, from: from(keyName) })
  }
  return found
}
