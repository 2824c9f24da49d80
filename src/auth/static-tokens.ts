/**
 * Static bearer tokens from configuration, in upstream's format:
 * `A2A_AUTH_TOKENS="name:token,other:token2"`. Tokens are compared by SHA-256 digest with a
 * constant-time comparison, so neither length nor content leaks through timing.
 */
import { sha256 } from '../lib/digest'

export interface StaticToken {
  name: string
  digest: ArrayBuffer
}

const parsed = new Map<string, Promise<StaticToken[]>>()

export function parseStaticTokens(spec: string): Promise<StaticToken[]> {
  let tokens = parsed.get(spec)
  if (!tokens) {
    tokens = Promise.all(
      spec
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map(async (entry) => {
          const i = entry.indexOf(':')
          if (i <= 0 || i === entry.length - 1) {
            throw new Error('A2A_AUTH_TOKENS entries must look like name:token')
          }
          return { name: entry.slice(0, i), digest: await sha256(entry.slice(i + 1)) }
        }),
    )
    parsed.set(spec, tokens)
  }
  return tokens
}

export async function matchStaticToken(
  tokens: StaticToken[],
  presented: string,
): Promise<StaticToken | undefined> {
  const digest = await sha256(presented)
  let match: StaticToken | undefined
  // Compare against every token, so the time taken does not say which one matched.
  for (const token of tokens) {
    if (crypto.subtle.timingSafeEqual(token.digest, digest)) match = token
  }
  return match
}
