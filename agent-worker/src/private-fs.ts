import { chmodSync, mkdirSync } from 'node:fs'

/**
 * The worker's own files hold task output, journals and model transcripts (a `.env` a tool
 * read is in there): only the worker's user may read them, whatever the umask says.
 */
export const PRIVATE = { mode: 0o600 } as const

/** A directory only its owner can enter; an existing one is narrowed too. */
export function privateDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}
