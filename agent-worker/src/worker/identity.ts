import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PRIVATE, privateDir } from '../private-fs.js'

/**
 * The worker's id lives in its state directory, so a restarted worker is the same worker:
 * it can still deliver output under the leases it held. Upstream's shape: wrk_<unix>_<hex>.
 */
export function workerIdentity(stateDir: string): string {
  privateDir(stateDir)
  const file = join(stateDir, 'worker-id')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const id = `wrk_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`
  writeFileSync(file, id, PRIVATE)
  return id
}

export class AlreadyRunning extends Error {}

/**
 * One process per state directory: two workers sharing a journal would each think the
 * other's tasks were left over. A pid file whose process is gone is taken over.
 */
export function lockStateDir(stateDir: string): () => void {
  const file = join(stateDir, 'worker.pid')
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'))
    if (pid && pid !== process.pid && alive(pid)) {
      throw new AlreadyRunning(
        `Another worker (pid ${pid}) uses ${stateDir}; give this one another --name`,
      )
    }
  }
  writeFileSync(file, String(process.pid), PRIVATE)
  return () => rmSync(file, { force: true })
}

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
