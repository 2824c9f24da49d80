import type { MessageRecord } from './types.js'

/**
 * What looks like a credential, each with what stands in its place. A transcript holds what
 * tools read (a `.env`, a config with a connection string); it leaves the machine without them.
 */
const SECRETS: [RegExp, string][] = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    '<private key redacted>',
  ],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]+:[^\s@/]+@/gi, '$1<redacted>@'],
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi, '$1 <redacted>'],
  // Provider key shapes: OpenAI/Anthropic sk-…, GitHub, Slack, AWS, Google, Stripe, ours.
  [
    /\b(sk-(?:ant-)?|ghp_|gho_|ghs_|github_pat_|xox[abpr]-|AKIA|AIza|(?:sk|rk|pk)_(?:live|test)_|ctw?_)[A-Za-z0-9_-]{12,}/g,
    '$1<redacted>',
  ],
  // NAME=value where the name says it is a secret (env files, shell exports, YAML/JSON pairs).
  [
    /\b([A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|DSN|DATABASE_URL)[A-Z0-9_]*)(["']?\s*[:=]\s*["']?)[^\s"',;]{4,}/gi,
    '$1$2<redacted>',
  ],
]

export function redactSecrets(text: string): string {
  let out = text
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement)
  return out
}

export const redactMessage = (m: MessageRecord): MessageRecord => ({
  ...m,
  content: redactSecrets(m.content),
})
