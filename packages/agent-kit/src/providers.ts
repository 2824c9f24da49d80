import { createAnthropic } from '@ai-sdk/anthropic'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import type { LanguageModel } from 'ai'
import { baseUrlVariableOf, COMPATIBLE, keyVariableOf } from './provider-table.js'

export class ModelUnavailable extends Error {}

/** `provider/model` (or upstream's `provider:model`) split at the provider. */
export function splitModel(ref: string): { provider: string; model: string } {
  const m = /^([a-z0-9-]+)[/:](.+)$/i.exec(ref)
  if (!m) throw new ModelUnavailable(`Model ${ref} must be provider/model, e.g. openai/gpt-4.1`)
  return { provider: (m[1] as string).toLowerCase(), model: m[2] as string }
}

type Env = Record<string, string | undefined>

/** A provider with an SDK of its own that only some callers bundle (Google: the worker). */
export type ModelFactory = (model: string, env: Env) => LanguageModel

/**
 * The language model for a reference, with keys and bases from the environment. `more`
 * adds providers by name: the edge app leaves out what it does not bundle.
 */
export function languageModel(
  ref: string,
  env: Env,
  more: Record<string, ModelFactory> = {},
): LanguageModel {
  const { provider, model } = splitModel(ref)
  const own = more[provider]
  if (own) return own(model, env)
  const baseVariable = baseUrlVariableOf(provider)
  if (provider === 'anthropic') {
    const apiKey = env.ANTHROPIC_API_KEY
    if (!apiKey) throw new ModelUnavailable('Set ANTHROPIC_API_KEY to use anthropic models')
    return createAnthropic({ apiKey, baseURL: env.ANTHROPIC_BASE_URL })(model)
  }

  const known = COMPATIBLE[provider]
  const baseURL = env[baseVariable] ?? known?.base
  if (!baseURL) {
    throw new ModelUnavailable(
      `Unknown provider ${provider}: set ${baseVariable} (OpenAI-compatible)`,
    )
  }
  const keyName = keyVariableOf(provider)
  const apiKey = env[keyName]
  if (!apiKey && known?.key) throw new ModelUnavailable(`Set ${keyName} to use ${provider} models`)
  return createOpenAICompatible({ name: provider, baseURL, apiKey, includeUsage: true })(model)
}
