/**
 * Each provider's current models, for when its model list cannot be fetched (an offline
 * machine, a provider that is down): reported as `source: 'catalogue'`, so a person can tell
 * a listed model from a guessed one. Chat models only; ids as the provider's API names them.
 */
export const CATALOGUE: Record<string, readonly string[]> = {
  anthropic: ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5'],
  openai: ['gpt-5', 'gpt-5-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o4-mini'],
  google: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'],
  openrouter: ['anthropic/claude-sonnet-4.5', 'openai/gpt-5', 'google/gemini-2.5-pro'],
  groq: ['llama-3.3-70b-versatile', 'openai/gpt-oss-120b'],
  deepseek: ['deepseek-chat', 'deepseek-reasoner'],
  mistral: ['mistral-large-latest', 'codestral-latest'],
  together: ['meta-llama/Llama-3.3-70B-Instruct-Turbo'],
  moonshotai: ['kimi-k2-0905-preview'],
}

/** Not chat models: what OpenAI-compatible `/models` lists besides (embeddings, speech, images). */
export const NOT_CHAT =
  /embed|tts|whisper|dall-e|moderation|transcribe|audio|realtime|image|search-preview|davinci|babbage/i
