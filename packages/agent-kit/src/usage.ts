import type { LanguageModelUsage } from 'ai'

/** The SDK's usage as the ledger counts it: uncached input, output without reasoning. */
export function tokensOf(u: LanguageModelUsage) {
  const cacheRead = u.inputTokenDetails?.cacheReadTokens ?? 0
  const cacheWrite = u.inputTokenDetails?.cacheWriteTokens ?? 0
  const reasoning = u.outputTokenDetails?.reasoningTokens ?? 0
  return {
    input:
      u.inputTokenDetails?.noCacheTokens ??
      Math.max(0, (u.inputTokens ?? 0) - cacheRead - cacheWrite),
    output: Math.max(0, (u.outputTokens ?? 0) - reasoning),
    reasoning,
    cache: { read: cacheRead, write: cacheWrite },
  }
}
