import { homedir } from 'node:os'
import { join } from 'node:path'
import { baseUrlVariableOf, keyVariableOf } from '@codetether/agent-kit/provider-table'
import type { Settings } from '../config.js'
import { credentials } from '../models/credentials.js'

/**
 * What `codetether worker install` writes: a systemd user unit (a launchd agent on macOS) that
 * runs `codetether worker` with the settings it was installed with, and an environment file,
 * readable by the user only, holding those settings, the token and the LLM keys.
 */

export const UNIT_NAME = 'codetether-worker.service'
export const LAUNCHD_LABEL = 'dev.codetether.worker'

export interface ServicePaths {
  unit: string
  envFile: string
  plist: string
}

export function servicePaths(env: NodeJS.ProcessEnv = process.env): ServicePaths {
  const home = env.HOME ?? homedir()
  const config = env.XDG_CONFIG_HOME ?? join(home, '.config')
  return {
    unit: join(config, 'systemd', 'user', UNIT_NAME),
    envFile: join(config, 'codetether', 'worker.env'),
    plist: join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`),
  }
}

/** The settings as the variables `loadSettings` reads, resolved (absolute paths, the name). */
function settingsEnv(s: Settings): Record<string, string> {
  const vars: Record<string, string | undefined> = {
    CODETETHER_SERVER: s.server,
    CODETETHER_TOKEN: s.token,
    CODETETHER_CODEBASES: s.codebases.join(','),
    CODETETHER_AUTO_APPROVE: s.autoApprove,
    CODETETHER_SANDBOX: s.sandbox,
    CODETETHER_SANDBOX_READ: s.sandboxRead.join(','),
    CODETETHER_WORKER_NAME: s.name,
    CODETETHER_CONCURRENCY: String(s.concurrency),
    CODETETHER_EXECUTOR: s.executor,
    CODETETHER_MODEL: s.model,
    CODETETHER_CAPABILITIES: s.capabilities.join(','),
    CODETETHER_STATE_DIR: s.stateDir,
    CODETETHER_POLL_SECONDS: String(s.pollSeconds),
    CODETETHER_GLOBAL: String(s.global),
  }
  return Object.fromEntries(
    Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  )
}

/**
 * What the service's worker needs from this shell: the keys and servers of the LLM providers
 * the worker uses here (as model discovery finds them; no other secret) and PATH, where the
 * coding CLIs are found. A service starts with none of them.
 */
function carriedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const names = new Set(['PATH'])
  for (const c of credentials(env, new Set())) {
    names.add(keyVariableOf(c.provider))
    names.add(baseUrlVariableOf(c.provider))
  }
  const carried = [...names].flatMap((k) => (env[k] ? [[k, env[k]] as const] : []))
  return Object.fromEntries(carried)
}

export function serviceEnv(s: Settings, env: NodeJS.ProcessEnv): Record<string, string> {
  return { ...carriedEnv(env), ...settingsEnv(s) }
}

/** systemd's EnvironmentFile syntax: double-quoted values, backslash escapes, one per line. */
export function envFileText(vars: Record<string, string>): string {
  const lines = Object.entries(vars).map(([k, v]) => {
    if (/[\r\n]/.test(v)) throw new Error(`${k} holds a line break, which a service cannot take`)
    return `${k}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  })
  return `# Written by codetether worker install: the worker service's settings and secrets.\n${lines.join('\n')}\n`
}

/** An ExecStart word: quoted, with systemd's specifiers (%) and variables ($) taken literally. */
const execWord = (w: string) =>
  `"${w
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/%/g, '%%')
    .replace(/\$/g, '$$$$')}"`

export function unitText(o: {
  node: string
  cli: string
  envFile: string
  name: string
  graceSeconds: number
}): string {
  const exec = [o.node, o.cli, 'worker', '--grace', String(o.graceSeconds)].map(execWord)
  return `# Written by codetether worker install; codetether worker uninstall removes it.
[Unit]
Description=CodeTether agent worker (${o.name.replace(/%/g, '%%')})
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=${exec.join(' ')}
EnvironmentFile=${o.envFile.replace(/%/g, '%%')}
# SIGTERM lets running tasks finish for the grace period, then hands them back.
KillSignal=SIGTERM
TimeoutStopSec=${o.graceSeconds + 20}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=default.target
`
}

const xml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  )

/** The launchd agent: launchd has no environment file, so the variables are in the plist. */
export function plistText(o: {
  node: string
  cli: string
  graceSeconds: number
  env: Record<string, string>
  logFile: string
}): string {
  const args = [o.node, o.cli, 'worker', '--grace', String(o.graceSeconds)]
  const vars = Object.entries(o.env)
    .map(([k, v]) => `      <key>${xml(k)}</key><string>${xml(v)}</string>`)
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key><string>${LAUNCHD_LABEL}</string>
    <key>ProgramArguments</key>
    <array>
${args.map((a) => `      <string>${xml(a)}</string>`).join('\n')}
    </array>
    <key>EnvironmentVariables</key>
    <dict>
${vars}
    </dict>
    <key>RunAtLoad</key><true/>
    <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
    <key>ExitTimeOut</key><integer>${o.graceSeconds + 20}</integer>
    <key>StandardErrorPath</key><string>${xml(o.logFile)}</string>
  </dict>
</plist>
`
}
