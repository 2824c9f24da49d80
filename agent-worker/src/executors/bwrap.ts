/**
 * The OS sandbox for what a task runs (commands, coding CLIs, git): on Linux with bubblewrap, a
 * mount namespace where only the system, the codebase and the tool's own state are visible.
 */
import { spawnSync } from 'node:child_process'
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, isAbsolute, join, sep } from 'node:path'
import { ConfigError } from '../config.js'
import { hiddenWithin } from './sandbox.js'

export type SandboxMode = 'auto' | 'required' | 'off'

/** A host path made visible at the same place in the sandbox. */
export interface Bind {
  path: string
  writable: boolean
}

/** What one process may see. */
export interface Confinement {
  codebase: string
  writable: boolean
  cwd: string
  /** Beyond the system and the codebase: a tool's own state, a clone's source. Missing ones are skipped. */
  binds: readonly Bind[]
  env: NodeJS.ProcessEnv
}

export interface Sandbox {
  /** `bwrap`, or `none` when processes run with everything this user can reach. */
  readonly name: 'bwrap' | 'none'
  /**
   * Private paths (privatePaths: the worker's state and settings, home's credential stores):
   * hidden from every task, also when a codebase contains them (the global codebase is the
   * home directory). Without bwrap only the LLM loop's tools can hold to it.
   */
  readonly hidden: readonly string[]
  /** The command line that runs `command args` confined. */
  wrap(command: string, args: string[], c: Confinement): [string, string[]]
}

const unconfined = (hidden: readonly string[]): Sandbox => ({
  name: 'none',
  hidden,
  wrap: (command, args) => [command, args],
})

/** Read-only in every sandbox: programs, libraries and system configuration; never /home, /root, /var. */
const SYSTEM = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt']

/** Root-only files a worker running as root could otherwise read through the /etc bind. */
function etcSecrets(): string[] {
  const ssh = existsSync('/etc/ssh')
    ? readdirSync('/etc/ssh')
        .filter((f) => /^ssh_host_.*_key$/.test(f))
        .map((f) => `/etc/ssh/${f}`)
    : []
  return ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', ...ssh].filter(existsSync)
}

const under = (dir: string, p: string) => p === dir || p.startsWith(dir + sep)
const isSystem = (p: string) => SYSTEM.some((d) => under(d, p))

/** Namespaces, the system read-only, fresh /proc, /dev and /tmp; network kept (CLIs call their APIs). */
function baseArgs(): string[] {
  const args = ['--unshare-all', '--share-net', '--die-with-parent', '--cap-drop', 'ALL']
  for (const dir of SYSTEM) {
    if (!existsSync(dir)) continue
    // Debian's merged /usr: /bin, /lib … are symlinks into it; keep them symlinks.
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir)
    else args.push('--ro-bind', dir, dir)
  }
  for (const secret of etcSecrets()) args.push('--ro-bind', '/dev/null', secret)
  // /etc/resolv.conf is often a symlink into systemd-resolved's runtime directory.
  args.push('--ro-bind-try', '/run/systemd/resolve', '/run/systemd/resolve')
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp')
  return args
}

/** The executable file `command` names: itself given a path, else the first on `env.PATH`. */
export function which(command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir))
  return dirs.map((dir) => join(dir, command)).find(isExecutable)
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The installation a program outside the system lives in, read-only: a PATH directory such
 * as ~/.local/bin holds symlinks into an npm package (or a versioned binary) elsewhere.
 */
function installOf(command: string, env: NodeJS.ProcessEnv): string[] {
  const found = which(command, env)
  if (!found) return []
  const real = realpathSync(found)
  if (isSystem(real)) return []
  // An npm package (its files beside the entry point); anything else is the file alone.
  for (let dir = dirname(real); dir.includes(`${sep}node_modules${sep}`); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return [dir]
  }
  return [real]
}

/** `readable`: host paths the user chose to show every process read-only (a toolchain in home). */
function bwrapSandbox(
  bwrap: string,
  readable: readonly string[],
  base: readonly string[],
  hidden: readonly string[],
): Sandbox {
  return {
    name: 'bwrap',
    hidden,
    wrap(command, args, c) {
      const home = c.env.HOME ?? homedir()
      const out = [...base]
      // An empty, throwaway home: tools find their usual paths, none of the user's files.
      if (isAbsolute(home) && home !== '/' && !isSystem(home)) out.push('--tmpfs', home)
      const programs = (c.env.PATH ?? '')
        .split(delimiter)
        .filter((d) => isAbsolute(d) && !isSystem(d))
      // Never a directory holding the whole home (PATH=~:… would undo the empty home).
      const shown = [...programs, ...installOf(command, c.env)].filter((p) => !under(p, home))
      for (const p of [...shown, ...readable]) out.push('--ro-bind-try', p, p)
      for (const b of c.binds) out.push(b.writable ? '--bind-try' : '--ro-bind-try', b.path, b.path)
      // Last, so it is not hidden by a tmpfs or a read-only bind of a directory above it.
      out.push(c.writable ? '--bind' : '--ro-bind', c.codebase, c.codebase)
      // Over every bind: nothing where the private paths are (an empty directory, an empty file).
      const mounts = [c.codebase, ...shown, ...readable]
      const own = c.binds.map((b) => b.path)
      for (const h of hiddenWithin(mounts, hidden, own)) {
        if (!existsSync(h)) continue
        if (statSync(h).isDirectory()) out.push('--tmpfs', h)
        else out.push('--ro-bind', '/dev/null', h)
      }
      out.push('--chdir', c.cwd, '--unsetenv', 'TMPDIR', '--', command, ...args)
      return [bwrap, out]
    },
  }
}

/**
 * The sandbox for this worker, probed once at start: bubblewrap when it can build a namespace
 * here, else nothing (with `warn`), or for `required`, the reason as an error.
 */
export function chooseSandbox(
  mode: SandboxMode,
  readable: readonly string[],
  env: NodeJS.ProcessEnv,
  warn: (msg: string) => void,
  hidden: readonly string[] = [],
): Sandbox {
  if (mode === 'off') return unconfined(hidden)
  const bwrap = process.platform === 'linux' ? which('bwrap', env) : undefined
  // The system paths it binds do not change while the worker runs: read them once.
  const base = bwrap ? baseArgs() : []
  let why: string | undefined
  if (process.platform !== 'linux') why = `no OS sandbox on ${process.platform}`
  else if (!bwrap) why = 'bwrap is not on PATH (Debian/Ubuntu: apt-get install bubblewrap)'
  else {
    const probe = spawnSync(bwrap, [...base, '--', 'true'], { encoding: 'utf8' })
    if (probe.status !== 0)
      why = `bwrap cannot create a sandbox here: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`
  }
  if (!why && bwrap) return bwrapSandbox(bwrap, readable, base, hidden)
  if (mode === 'required') throw new ConfigError(`--sandbox required: ${why}`)
  warn(
    `--sandbox auto: running UNSANDBOXED (${why}); commands and coding CLIs can read and write everything this user can`,
  )
  return unconfined(hidden)
}
