import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

/**
 * One stack per state dir: a second `npm start` on the same `.data/` would fight over the
 * Postgres cluster. The lock holds the owner's pid; a lock whose process is gone is stale.
 */
export function acquireLock(file: string): { release(): void } {
  if (existsSync(file)) {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; url?: string }
    if (isAlive(holder.pid)) {
      throw new Error(
        `CodeTether is already running from this directory (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}). Stop it with Ctrl-C first.`,
      )
    }
  }
  writeFileSync(file, JSON.stringify({ pid: process.pid }))
  return {
    release() {
      try {
        const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number }
        if (holder.pid === process.pid) rmSync(file)
      } catch {
        // already gone
      }
    },
  }
}

export function recordUrl(file: string, url: string): void {
  writeFileSync(file, JSON.stringify({ pid: process.pid, url }))
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
