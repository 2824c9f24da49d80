/**
 * What looks like a credential, each with what stands in its place: the one list the worker
 * applies to transcripts before they leave the machine and the server to every log line.
 */
export const CREDENTIALS: [RegExp, string][] = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    '<private key redacted>',
  ],
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s:@/]+:[^\s@/]+@/gi, '$1<redacted>@'],
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]+/gi, '$1 <redacted>'],
  // Provider key shapes: OpenAI/Anthropic sk-…, GitHub, Slack, AWS, Google, Stripe, ours
  // (API keys ct_, worker tokens ctw_, the dev stack's ctdev_).
  [
    /\b(sk-(?:ant-)?|ghp_|gho_|ghs_|github_pat_|xox[abpr]-|AKIA|AIza|(?:sk|rk|pk)_(?:live|test)_|ct(?:w|dev)?_)[A-Za-z0-9_-]{12,}/g,
    '$1<redacted>',
  ],
  // NAME=value where the name says it is a secret (env files, shell exports, YAML/JSON pairs).
  // The value stops at a closing bracket, so redacting a pair inside JSON keeps its shape;
  // the bounded name keeps a long run of letters from costing quadratic time.
  [
    /\b([A-Z0-9_]{0,64}(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|DSN|DATABASE_URL)[A-Z0-9_]{0,64})(["']?\s*[:=]\s*["']?)[^\s"',;}\])]{4,}/gi,
    '$1$2<redacted>',
  ],
]

/**
 * Something every pattern above needs: most text has none of it and is returned as it is, so
 * a log line pays one scan, not five.
 */
const MIGHT_HOLD =
  /PRIVATE KEY|:\/\/|bearer|basic|sk-|gh[pos]_|github_pat|xox|AKIA|AIza|_live_|_test_|ct(?:w|dev)?_|secret|token|pass|pwd|key|credential|dsn|database_url/i

export function redactCredentials(text: string): string {
  if (!MIGHT_HOLD.test(text)) return text
  let out = text
  for (const [pattern, replacement] of CREDENTIALS) out = out.replace(pattern, replacement)
  return out
}
