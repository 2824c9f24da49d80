/**
 * A small, safe arithmetic evaluator (recursive descent; no eval): numbers, + - * / ^,
 * unary minus, parentheses and sqrt(). Throws ArithmeticError on bad input or maths.
 */
export class ArithmeticError extends Error {}

type Token = { t: 'num'; v: number } | { t: 'op'; v: string }

function tokenize(src: string): Token[] {
  const tokens: Token[] = []
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(sqrt|[-+*/^()]))/giy
  let pos = 0
  while (pos < src.length) {
    const m = re.exec(src)
    if (!m) break
    if (m[1] !== undefined) tokens.push({ t: 'num', v: Number(m[1]) })
    else tokens.push({ t: 'op', v: (m[2] as string).toLowerCase() })
    pos = re.lastIndex
  }
  if (src.slice(pos).trim() !== '')
    throw new ArithmeticError(`cannot read "${src.slice(pos).trim()}"`)
  return tokens
}

export function evaluate(src: string): number {
  const tokens = tokenize(src)
  let i = 0
  const peek = () => tokens[i]
  const isOp = (v: string) => peek()?.t === 'op' && peek()?.v === v
  const expr = (): number => {
    let v = term()
    while (isOp('+') || isOp('-')) v = (tokens[i++] as Token).v === '+' ? v + term() : v - term()
    return v
  }
  const term = (): number => {
    let v = power()
    while (isOp('*') || isOp('/')) {
      const op = (tokens[i++] as Token).v
      const rhs = power()
      if (op === '/' && rhs === 0) throw new ArithmeticError('Division by zero is undefined')
      v = op === '*' ? v * rhs : v / rhs
    }
    return v
  }
  const power = (): number => {
    const base = unary()
    if (isOp('^')) {
      i++
      return base ** power() // right-associative
    }
    return base
  }
  const unary = (): number => {
    if (isOp('-')) {
      i++
      return -unary()
    }
    if (isOp('+')) {
      i++
      return unary()
    }
    return primary()
  }
  const primary = (): number => {
    const tok = tokens[i++]
    if (!tok) throw new ArithmeticError('expression ends too early')
    if (tok.t === 'num') return tok.v
    if (tok.v === 'sqrt') {
      const v = primary()
      if (v < 0) throw new ArithmeticError('The square root of a negative number is not real')
      return Math.sqrt(v)
    }
    if (tok.v === '(') {
      const v = expr()
      if (!isOp(')')) throw new ArithmeticError('missing )')
      i++
      return v
    }
    throw new ArithmeticError(`unexpected "${tok.v}"`)
  }
  if (tokens.length === 0) throw new ArithmeticError('no numbers given')
  const value = expr()
  if (i !== tokens.length) throw new ArithmeticError(`unexpected "${(tokens[i] as Token).v}"`)
  if (!Number.isFinite(value)) throw new ArithmeticError('The result is too large to represent')
  return value
}

/** 100, not 100.00000000000001; 0.1 + 0.2 → 0.3. */
export function formatNumber(n: number): string {
  return String(Number.parseFloat(n.toPrecision(12)))
}

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
