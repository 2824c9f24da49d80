/**
 * OpenAI-compatible providers by name: their API base and the variable holding the key.
 * `<NAME>_BASE_URL` overrides the base (a proxy, a local server); Ollama needs no key.
 */
export const COMPATIBLE: Record<string, { base: string; key?: string }> = {
  openai: { base: 'https://api.openai.com/v1', key: 'OPENAI_API_KEY' },
  openrouter: { base: 'https://openrouter.ai/api/v1', key: 'OPENROUTER_API_KEY' },
  groq: { base: 'https://api.groq.com/openai/v1', key: 'GROQ_API_KEY' },
  deepseek: { base: 'https://api.deepseek.com/v1', key: 'DEEPSEEK_API_KEY' },
  moonshotai: { base: 'https://api.moonshot.ai/v1', key: 'MOONSHOT_API_KEY' },
  together: { base: 'https://api.together.xyz/v1', key: 'TOGETHER_API_KEY' },
  mistral: { base: 'https://api.mistral.ai/v1', key: 'MISTRAL_API_KEY' },
  ollama: { base: 'http://127.0.0.1:11434/v1' },
}

/** Providers with an API of their own (the AI SDK has a provider for each). */
export const NATIVE: Record<'anthropic' | 'google', { base: string; key: string }> = {
  anthropic: { base: 'https://api.anthropic.com/v1', key: 'ANTHROPIC_API_KEY' },
  google: {
    base: 'https://generativelanguage.googleapis.com/v1beta',
    key: 'GOOGLE_GENERATIVE_AI_API_KEY',
  },
}

/** A provider's name as environment variables spell it (`moonshot-ai` → `MOONSHOT_AI`). */
const envName = (provider: string) => provider.toUpperCase().replace(/-/g, '_')

/** The variable that holds a provider's key: its table entry's, else `<PROVIDER>_API_KEY`. */
export function keyVariableOf(provider: string): string {
  const known = NATIVE[provider as keyof typeof NATIVE] ?? COMPATIBLE[provider]
  return known?.key ?? `${envName(provider)}_API_KEY`
}

/** The variable that overrides a provider's API base: `<PROVIDER>_BASE_URL`. */
export const baseUrlVariableOf = (provider: string) => `${envName(provider)}_BASE_URL`

/** Whether any LLM provider is configured at all (the `auto` executor's first choice). */
export function hasProvider(env: Record<string, string | undefined>): boolean {
  return Boolean(
    Object.values(NATIVE).some((p) => env[p.key]) ||
      Object.values(COMPATIBLE).some((p) => p.key && env[p.key]) ||
      Object.keys(env).some(
        (k) => k.endsWith('_BASE_URL') && k !== 'ANTHROPIC_BASE_URL' && k !== 'GOOGLE_BASE_URL',
      ),
  )
}
