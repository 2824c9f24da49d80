/**
 * Topics are dot-separated words (`agent.calculator.completed`). A subscription pattern may use
 * `*` for exactly one word and `#` for any number of words, the last segment only
 * (`agent.*.completed`, `agent.#`).
 */
const WORD = /^[A-Za-z0-9_:-]{1,100}$/

export function topicProblem(topic: string): string | undefined {
  const words = topic.split('.')
  if (topic.length > 300 || !words.every((w) => WORD.test(w))) {
    return 'a topic is dot-separated words of letters, digits, _ : -'
  }
  return undefined
}

export function patternProblem(pattern: string): string | undefined {
  const words = pattern.split('.')
  const ok = words.every(
    (w, i) => w === '*' || (w === '#' && i === words.length - 1) || WORD.test(w),
  )
  if (pattern.length > 300 || !ok) {
    return 'a pattern is dot-separated words, * for one word, # (last) for any number'
  }
  return undefined
}

export { topicMatches } from '@codetether/agent-kit/wire'
