/**
 * Where a browser goes after logging in: a path on this site, or the monitor. An open
 * redirect here hands a fresh session's first page to anyone, and browsers are lenient: they
 * drop tabs and newlines from a Location (`/\t/evil` is `//evil`), read `\` as `/`, and a
 * percent-encoded slash may be decoded again by a proxy. So the value is decoded until it is
 * stable, and refused if any form of it holds a control character, whitespace or a backslash,
 * or starts with anything but exactly one `/`; what is kept is the URL parser's own
 * normalised path, query and fragment.
 */
export const DEFAULT_RETURN_PATH = '/v1/monitor/'

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const UNSAFE = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\\]/
const BASE = 'http://return-to.invalid'

/** Every decoding of `p` (at most a few), or undefined when one is malformed. */
function decodings(p: string): string[] | undefined {
  const forms = [p]
  for (let i = 0; i < 3; i++) {
    const last = forms[forms.length - 1] as string
    let next: string
    try {
      next = decodeURIComponent(last)
    } catch {
      return undefined
    }
    if (next === last) return forms
    forms.push(next)
  }
  // Still changing after three decodings: nothing real needs that.
  return undefined
}

const safeForm = (p: string) => p.startsWith('/') && !p.startsWith('//') && !UNSAFE.test(p)

/** `returnTo` when it is a same-origin path, else the monitor. */
export function safeReturnPath(returnTo: string | undefined): string {
  if (!returnTo) return DEFAULT_RETURN_PATH
  const forms = decodings(returnTo)
  if (!forms?.every(safeForm)) return DEFAULT_RETURN_PATH
  const url = new URL(returnTo, BASE)
  if (url.origin !== BASE) return DEFAULT_RETURN_PATH
  const path = `${url.pathname}${url.search}${url.hash}`
  return safeForm(path) ? path : DEFAULT_RETURN_PATH
}
