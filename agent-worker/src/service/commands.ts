import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Settings } from '../config.js'
import { ConfigError } from '../config.js'
import { log } from '../log.js'
import { PRIVATE, privateDir } from '../private-fs.js'
import {
  envFileText,
  LAUNCHD_LABEL,
  plistText,
  serviceEnv,
  servicePaths,
  UNIT_NAME,
  unitText,
} from './files.js'

/**
 * `codetether worker install | uninstall | status`: keeps the worker running across logins
 * and reboots as a systemd user service (on macOS, a launchd agent).
 */

const out = (s: string) => process.stdout.write(`${s}\n`)
const macOS = process.platform === 'darwin'

/** Runs a service manager command, its output passed through; its exit code. */
function run(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  if (r.error) {
    log.error(
      `${cmd} ${args.join(' ')}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`,
    )
    return 127
  }
  return r.status ?? 1
}

const systemctl = (...args: string[]) => run('systemctl', ['--user', ...args])

export function install(settings: Settings, graceSeconds: number): number {
  if (settings.codebases.length === 0)
    throw new ConfigError('codetether worker install needs --codebases: the service serves them')
  const paths = servicePaths()
  // The command as it runs now, by real paths: a service starts without this shell's PATH.
  const node = realpathSync(process.execPath)
  const cli = realpathSync(process.argv[1] as string)
  const env = serviceEnv(settings, process.env)
  if (macOS) {
    mkdirSync(dirname(paths.plist), { recursive: true })
    const logFile = join(settings.stateDir, 'service.log')
    writeFileSync(paths.plist, plistText({ node, cli, graceSeconds, env, logFile }), PRIVATE)
    chmodSync(paths.plist, 0o600) // also when it was there before
    out(`wrote ${paths.plist} (readable by you only: it holds the token and keys)`)
    out(`start it now and at every login: launchctl load -w ${paths.plist}`)
    return 0
  }
  privateDir(dirname(paths.envFile))
  writeFileSync(paths.envFile, envFileText(env), PRIVATE)
  chmodSync(paths.envFile, 0o600) // also when it was there before
  mkdirSync(dirname(paths.unit), { recursive: true })
  writeFileSync(
    paths.unit,
    unitText({ node, cli, envFile: paths.envFile, name: settings.name, graceSeconds }),
  )
  out(`wrote ${paths.unit}`)
  out(`wrote ${paths.envFile} (readable by you only: it holds the token and keys)`)
  const code = systemctl('daemon-reload') || systemctl('enable', '--now', UNIT_NAME)
  if (code !== 0) {
    log.error(
      `the unit is written but could not be enabled; with a systemd user session run: systemctl --user enable --now ${UNIT_NAME}`,
    )
    return 1
  }
  out(`${UNIT_NAME} is enabled and running: codetether worker status shows it`)
  out('to keep it running after you log out and across reboots: loginctl enable-linger')
  return 0
}

export function uninstall(): number {
  const paths = servicePaths()
  if (macOS) {
    if (existsSync(paths.plist)) run('launchctl', ['unload', '-w', paths.plist])
    rmSync(paths.plist, { force: true })
    out(`removed ${paths.plist}`)
    return 0
  }
  if (!existsSync(paths.unit)) {
    out(`${UNIT_NAME} is not installed`)
    return 0
  }
  // Stopping gives running tasks their grace period and hands the rest back to the queue.
  const code = systemctl('disable', '--now', UNIT_NAME)
  rmSync(paths.unit, { force: true })
  rmSync(paths.envFile, { force: true })
  systemctl('daemon-reload')
  out(`removed ${paths.unit} and ${paths.envFile}`)
  return code === 0 ? 0 : 1
}

/** 0 when the service runs, 3 when it is installed but not running, 1 when not installed. */
export function status(): number {
  const paths = servicePaths()
  if (macOS) {
    if (!existsSync(paths.plist)) return notInstalled()
    return run('launchctl', ['list', LAUNCHD_LABEL]) === 0 ? 0 : 3
  }
  if (!existsSync(paths.unit)) return notInstalled()
  out(`unit: ${paths.unit}`)
  return systemctl('status', '--no-pager', UNIT_NAME) === 0 ? 0 : 3
}

function notInstalled() {
  out('the worker service is not installed: codetether worker install --codebases … sets it up')
  return 1
}
