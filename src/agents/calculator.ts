import { ArithmeticError, evaluate, expressionOf, formatNumber } from './arithmetic'
import { defineAgent, done, type EdgeAgent, failed, keywordHits } from './types'

const WORDS = [
  'calculate',
  'compute',
  'add',
  'plus',
  'sum',
  'subtract',
  'minus',
  'multiply',
  'times',
  'divide',
  'divided',
  'power',
  'sqrt',
  'square',
  'root',
  'math',
  'what is',
]

/**
 * "multiply that by 10": "that", "it", "ans" or "the result" stand for the last answer in the
 * conversation (the same context), so later messages build on earlier ones.
 */
export function withPreviousResult(text: string, history: string[]): string {
  const refers = /\b(?:that|it|ans|the (?:result|answer))\b/i
  if (!refers.test(text)) return text
  for (let i = history.length - 1; i >= 0; i--) {
    const m = /=\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(history[i] ?? '')
    if (m) return text.replace(new RegExp(refers.source, 'gi'), m[1] as string)
  }
  return text
}

export const calculator: EdgeAgent = defineAgent({
  name: 'calculator',
  announces: 'calculation.complete',
  title: 'Calculator Agent',
  description:
    'Arithmetic on the numbers given: add, subtract, multiply, divide, power, square root.',
  skills: [
    {
      id: 'calculator',
      name: 'Calculator',
      description: 'Evaluates arithmetic: + - * / ^, sqrt, and phrases like "add 15 and 27".',
      tags: ['math', 'arithmetic', 'calculator'],
      examples: ['Calculate 25 * 4', 'add 15 and 27', 'square root of 144', '2 to the power of 10'],
    },
  ],
  score(text) {
    const expr = expressionOf(text)
    const symbolic = expr !== undefined && /\d\s*[-+*/^]\s*[\d(]|sqrt/.test(expr)
    return keywordHits(text, WORDS) + (symbolic ? 3 : 0)
  },
  async handle(message) {
    const text = withPreviousResult(message.text, message.history)
    const expr = expressionOf(text)
    if (!expr) return failed('No arithmetic found. Try "Calculate 25 * 4" or "square root of 144".')
    try {
      const value = evaluate(expr)
      const shown = expr.replace(/\s+/g, ' ')
      const result = formatNumber(value)
      return done(`${shown} = ${result}`, { expression: shown, result: Number(result) })
    } catch (err) {
      if (err instanceof ArithmeticError)
        return failed(`Cannot calculate ${expr.trim()}: ${err.message}`)
      throw err
    }
  },
})
