import { log } from '../log.js'
import { cliModels } from './cli-models.js'
import { credentials, opencodeKeys } from './credentials.js'
import { type DiscoveredModel, discoverModels } from './discover.js'

export type { DiscoveredModel } from './discover.js'

/**
 * What a worker can run: the environment its LLM loop reads keys from (this one, plus the API
 * keys opencode holds that it lacks) and, on `discover`, every model of every provider those
 * keys open and of every coding CLI installed and logged in.
 */
export function modelSources(env: NodeJS.ProcessEnv) {
  const opencode = opencodeKeys(env)
  const llmEnv = { ...env, ...opencode }
  const found = credentials(llmEnv, new Set(Object.keys(opencode)))
  const warn = (msg: string) => log.warn(msg)
  return {
    llmEnv,
    /** `installed`: the coding CLIs on PATH. */
    async discover(installed: readonly string[]): Promise<DiscoveredModel[]> {
      const models = [...(await discoverModels(found, warn)), ...cliModels(installed, env, warn)]
      const providers = [...new Set(models.map((m) => m.provider))]
      log.info(`models: ${models.length} from ${providers.join(', ') || 'no provider'}`)
      return models
    },
  }
}
