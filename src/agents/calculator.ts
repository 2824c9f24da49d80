import { ArithmeticError, evaluate, formatNumber } from './arithmetic'
import { type BuiltinAgent, done, failed, keywordHits } from './types'

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

/** Phrases to operators, so "2 to the power of 10" and "15 plus 27" become expressions. */
const PHRASES: [RegExp, string][] = [
  [/\bsquare root of\b|\bsqrt of\b|\broot of\b/g, ' sqrt '],
  [/\bto the power of\b|\braised to\b|\bpower\b/g, ' ^ '],
  [/\bmultiplied by\b|\btimes\b|×/g, ' * '],
  [/\bdivided by\b|\bover\b|÷/g, ' / '],
  [/\bplus\b/g, ' + '],
  [/\bminus\b/g, ' - '],
]

/** "add 15 and 27", "subtract 5 from 12", "divide 10 by 2", "multiply 3 and 4", "square 9". */
function prefixForm(text: string): string | undefined {
  const n = '(-?\\d+(?:\\.\\d+)?)'
  const forms: [RegExp, (a: string, b: string) => string][] = [
    [
      new RegExp(`\\b(?:add|sum(?: of)?)\\s+${n}\\s+(?:and|to|with|,)\\s+${n}`),
      (a, b) => `${a} + ${b}`,
    ],
    [new RegExp(`\\bsubtract\\s+${n}\\s+from\\s+${n}`), (a, b) => `${b} - ${a}`],
    [new RegExp(`\\bsubtract\\s+${n}\\s+(?:and|minus|,)\\s+${n}`), (a, b) => `${a} - ${b}`],
    [new RegExp(`\\bmultiply\\s+${n}\\s+(?:and|by|with|,)\\s+${n}`), (a, b) => `${a} * ${b}`],
    [new RegExp(`\\bdivide\\s+${n}\\s+(?:by|and|,)\\s+${n}`), (a, b) => `${a} / ${b}`],
  ]
  for (const [re, build] of forms) {
    const m = re.exec(text)
    if (m) return build(m[1] as string, m[2] as string)
  }
  const square = new RegExp(`\\bsquare\\s+(?:of\\s+)?${n}`).exec(text)
  if (square && !/square root/.test(text)) return `${square[1]} ^ 2`
  return undefined
}

/** The arithmetic a message asks for, as an expression the evaluator reads. */
export function expressionOf(message: string): string | undefined {
  const text = message.toLowerCase().replace(/,(?=\d{3}\b)/g, '')
  const prefix = prefixForm(text)
  if (prefix) return prefix
  let spelled = text
  for (const [re, op] of PHRASES) spelled = spelled.replace(re, op)
  // The longest run that looks like arithmetic, e.g. "25 * 4" in "Calculate 25 * 4 please".
  const runs = spelled.match(/(?:sqrt|[\d.()+\-*/^\s])+/g) ?? []
  const best = runs
    .map((r) => r.trim())
    .filter((r) => /\d/.test(r))
    .sort((a, b) => b.length - a.length)[0]
  return best
}

export const calculator: BuiltinAgent = {
  id: 'calculator',
  name: 'Calculator Agent',
  description:
    'Arithmetic on the numbers given: add, subtract, multiply, divide, power, square root.',
  skill: {
    id: 'calculator',
    name: 'Calculator',
    description: 'Evaluates arithmetic: + - * / ^, sqrt, and phrases like "add 15 and 27".',
    tags: ['math', 'arithmetic', 'calculator'],
    examples: ['Calculate 25 * 4', 'add 15 and 27', 'square root of 144', '2 to the power of 10'],
  },
  score(text) {
    const expr = expressionOf(text)
    const symbolic = expr !== undefined && /\d\s*[-+*/^]\s*[\d(]|sqrt/.test(expr)
    return keywordHits(text, WORDS) + (symbolic ? 3 : 0)
  },
  async handle(text) {
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
}
