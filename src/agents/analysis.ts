import { defineAgent, done, type EdgeAgent, failed, keywordHits } from './types'

const STOPWORDS = new Set(
  'a an and are as at be but by for from has have he her his i in is it its of on or our she so that the their them they this to was we were will with you your'.split(
    ' ',
  ),
)

/** The text to analyse: what follows "analyze:" or a quoted passage, else the whole message. */
export function subjectOf(message: string): string {
  const quoted = /["“]([^"”]{3,})["”]/.exec(message)
  if (quoted) return quoted[1] as string
  const after =
    /\b(?:analy[sz]e|statistics|stats)\b(?:\s+(?:this|the|following))?(?:\s+text)?\s*[:-]\s*([\s\S]+)/i.exec(
      message,
    )
  return (after ? (after[1] as string) : message).trim()
}

export function textStats(text: string) {
  const words = text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []
  const sentences = text.split(/[.!?]+(?:\s|$)/).filter((s) => /[\p{L}\p{N}]/u.test(s))
  const counts = new Map<string, number>()
  for (const w of words) {
    const k = w.toLowerCase()
    if (!STOPWORDS.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([word, count]) => ({ word, count }))
  const letters = words.reduce((n, w) => n + w.length, 0)
  return {
    words: words.length,
    sentences: sentences.length,
    characters: text.length,
    characters_no_spaces: text.replace(/\s/g, '').length,
    average_word_length: words.length ? Math.round((letters / words.length) * 100) / 100 : 0,
    most_frequent_words: top,
  }
}

export const analysis: EdgeAgent = defineAgent({
  name: 'analysis',
  announces: 'analysis.complete',
  title: 'Analysis Agent',
  description:
    'Text statistics: words, sentences, characters, average word length, frequent words.',
  skills: [
    {
      id: 'analysis',
      name: 'Text analysis',
      description: 'Counts words, sentences and characters and finds the most frequent words.',
      tags: ['text', 'analysis', 'statistics'],
      examples: [
        'Analyze: The quick brown fox jumps over the lazy dog.',
        'word count of "to be or not to be"',
      ],
    },
  ],
  score: (text) =>
    keywordHits(text, ['analyze', 'analyse', 'analysis', 'statistics', 'stats', 'count', 'words']) *
    2,
  async handle({ text }) {
    const subject = subjectOf(text)
    if (!/[\p{L}\p{N}]/u.test(subject)) return failed('There is no text to analyse.')
    const s = textStats(subject)
    const top = s.most_frequent_words.map((w) => `${w.word} (${w.count})`).join(', ') || 'none'
    return done(
      `${s.words} words, ${s.sentences} sentences, ${s.characters} characters; average word length ${s.average_word_length}; most frequent: ${top}.`,
      s,
    )
  },
})
