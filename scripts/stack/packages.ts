import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface Requirement {
  /** What must exist on disk once the package is installed. */
  path: string
  /** The Debian package that provides it. */
  pkg: string
}

/** bubblewrap: the agent worker's sandbox on Linux (`--sandbox auto|required`); `npm test` needs it. */
export const BWRAP_PACKAGE: Requirement = { path: '/usr/bin/bwrap', pkg: 'bubblewrap' }

/**
 * Makes sure the Debian packages the stack runs are installed: installs them when running as
 * root, otherwise stops with one error naming them all.
 */
export function ensurePackages(requirements: Requirement[], log: (msg: string) => void): void {
  const missing = requirements.filter((r) => !existsSync(r.path))
  if (missing.length === 0) return
  const pkgs = [...new Set(missing.map((r) => r.pkg))]
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${pkgs.join(' ')}. Install them with: sudo apt-get install -y ${pkgs.join(' ')}`,
    )
  }
  log(`installing ${pkgs.join(', ')} from Debian (one-time)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  })
  const still = requirements.filter((r) => !existsSync(r.path))
  if (still.length > 0)
    throw new Error(`Installed ${pkgs.join(' ')} but ${still[0]?.path} is missing`)
}
