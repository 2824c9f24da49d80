/**
 * Progress and diagnostics go to stderr (stdout is for results, e.g. `--json`). Colour only on
 * a terminal and never with NO_COLOR; `--quiet` keeps warnings and errors.
 */
const useColor = process.stderr.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
const paint = (code: number, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s)

let quiet = false
export const setQuiet = (q: boolean) => {
  quiet = q
}

const stamp = () => new Date().toISOString().slice(11, 23)

export const log = {
  info(msg: string) {
    if (!quiet) process.stderr.write(`${paint(2, stamp())} ${msg}\n`)
  },
  warn(msg: string) {
    process.stderr.write(`${paint(2, stamp())} ${paint(33, 'warn')} ${msg}\n`)
  },
  error(msg: string) {
    process.stderr.write(`${paint(2, stamp())} ${paint(31, 'error')} ${msg}\n`)
  },
}

/** Accent for names in messages (a task id, a path). */
export const bold = (s: string) => paint(1, s)
