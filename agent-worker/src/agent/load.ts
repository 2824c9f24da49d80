/** Loads a user's agent file: TypeScript through tsx, JavaScript as it is. */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AgentDefinition } from '@codetether/agent-kit'
import { ConfigError } from '../config.js'

export async function loadAgent(file: string): Promise<AgentDefinition> {
  const path = resolve(file)
  const mod = (
    /\.[mc]?ts$/.test(path)
      ? await (await import('tsx/esm/api')).tsImport(pathToFileURL(path).href, import.meta.url)
      : await import(pathToFileURL(path).href)
  ) as { default?: AgentDefinition; agent?: AgentDefinition }
  const def = mod.default ?? mod.agent
  if (!def || typeof def.handle !== 'function' || typeof def.name !== 'string') {
    throw new ConfigError(`${file} must export default defineAgent({ name, description, handle })`)
  }
  return def
}
