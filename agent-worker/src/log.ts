/**
 * Progress and diagnostics go to stderr (stdout is for results, e.g. `--json`). Colour only on
 * a terminal and never with NO_COLOR; `--quiet` keeps warnings and errors.
 */
const useColor = process.stderr.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
let json = false
const paint = (code: number, s: string) => (useColor && !json ? `\x1b[${code}m${s}\x1b[0m` : s)

let quiet = false
/** `--quiet` keeps warnings and errors; `--json` writes one JSON object per line (for a log shipper). */
export const setLogMode = (mode: { quiet: boolean; json: boolean }) => {
  quiet = mode.quiet
  json = mode.json
}

const stamp = () => new Date().toISOString().slice(11, 23)

function write(level: 'info' | 'warn' | 'error', msg: string, color: number) {
  if (json) {
    const line = { ts: new Date().toISOString(), level, msg }
    process.stderr.write(`${JSON.stringify(line)}\n`)
    return
  }
  const tag = level === 'info' ? '' : `${paint(color, level)} `
  process.stderr.write(`${paint(2, stamp())} ${tag}${msg}\n`)
}

export const log = {
  info(msg: string) {
    if (!quiet) write('info', msg, 0)
  },
  warn(msg: string) {
    write('warn', msg, 33)
  },
  error(msg: string) {
    write('error', msg, 31)
  },
}

/** Accent for names in messages (a task id, a path). */
export const bold = (s: string) => paint(1, s)
