import { createAnthropic } from '@ai-sdk/anthropic'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import type { LanguageModel } from 'ai'

/**
 * OpenAI-compatible providers by name: their API base and the variable holding the key.
 * `<NAME>_BASE_URL` overrides the base (a proxy, a local server); Ollama needs no key.
 */
const COMPATIBLE: Record<string, { base: string; key?: string }> = {
  openai: { base: 'https://api.openai.com/v1', key: 'OPENAI_API_KEY' },
  openrouter: { base: 'https://openrouter.ai/api/v1', key: 'OPENROUTER_API_KEY' },
  groq: { base: 'https://api.groq.com/openai/v1', key: 'GROQ_API_KEY' },
  deepseek: { base: 'https://api.deepseek.com/v1', key: 'DEEPSEEK_API_KEY' },
  moonshotai: { base: 'https://api.moonshot.ai/v1', key: 'MOONSHOT_API_KEY' },
  together: { base: 'https://api.together.xyz/v1', key: 'TOGETHER_API_KEY' },
  mistral: { base: 'https://api.mistral.ai/v1', key: 'MISTRAL_API_KEY' },
  ollama: { base: 'http://127.0.0.1:11434/v1' },
}

export class ModelUnavailable extends Error {}

/** `provider/model` (or upstream's `provider:model`) split at the provider. */
export function splitModel(ref: string): { provider: string; model: string } {
  const m = /^([a-z0-9-]+)[/:](.+)$/i.exec(ref)
  if (!m) throw new ModelUnavailable(`Model ${ref} must be provider/model, e.g. openai/gpt-4.1`)
  return { provider: (m[1] as string).toLowerCase(), model: m[2] as string }
}

/** The language model for a reference, with keys and bases from the environment. */
export function languageModel(ref: string, env: NodeJS.ProcessEnv): LanguageModel {
  const { provider, model } = splitModel(ref)
  const upper = provider.toUpperCase().replace(/-/g, '_')
  if (provider === 'anthropic') {
    const apiKey = env.ANTHROPIC_API_KEY
    if (!apiKey) throw new ModelUnavailable('Set ANTHROPIC_API_KEY to use anthropic models')
    return createAnthropic({ apiKey, baseURL: env.ANTHROPIC_BASE_URL })(model)
  }
  const known = COMPATIBLE[provider]
  const baseURL = env[`${upper}_BASE_URL`] ?? known?.base
  if (!baseURL) {
    throw new ModelUnavailable(
      `Unknown provider ${provider}: set ${upper}_BASE_URL (OpenAI-compatible)`,
    )
  }
  const keyName = known?.key ?? `${upper}_API_KEY`
  const apiKey = env[keyName]
  if (!apiKey && known?.key) throw new ModelUnavailable(`Set ${keyName} to use ${provider} models`)
  return createOpenAICompatible({ name: provider, baseURL, apiKey, includeUsage: true })(model)
}

/** Whether any LLM provider is configured at all (the `auto` executor's first choice). */
export function hasProvider(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    env.ANTHROPIC_API_KEY ||
      Object.values(COMPATIBLE).some((p) => p.key && env[p.key]) ||
      Object.keys(env).some((k) => k.endsWith('_BASE_URL') && k !== 'ANTHROPIC_BASE_URL'),
  )
}
