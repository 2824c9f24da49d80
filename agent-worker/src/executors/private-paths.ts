import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { configPath, type Settings, stateRoot } from '../config.js'
import { LAUNCHD_LABEL, servicePaths } from '../service/files.js'
import { realPathOf } from './sandbox.js'

/**
 * Where a home directory keeps credentials: keys, cloud and registry logins, the coding CLIs'
 * subscriptions, browser profiles. A task in a codebase that contains them (the global
 * codebase is the home directory) sees none of them, unless its own CLI needs its own state.
 */
const HOME_SECRETS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker',
  '.config/gh',
  '.password-store',
  '.local/share/keyrings',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.pgpass',
  '.my.cnf',
  '.claude',
  '.claude.json',
  '.codex',
  '.local/share/opencode',
  '.config/opencode',
  '.mozilla',
  '.config/google-chrome',
  '.config/chromium',
  `Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
]

/**
 * The paths no task may see: the workers' own state (journals, transcripts), their settings
 * and the service's token file, the config file given, and the credential stores of home.
 */
export function privatePaths(s: Settings, env: NodeJS.ProcessEnv, configFlag?: string): string[] {
  const home = env.HOME ?? homedir()
  const paths = [
    s.stateDir,
    stateRoot(env),
    dirname(configPath(env)),
    configPath(env, configFlag),
    servicePaths(env).envFile,
    ...HOME_SECRETS.map((p) => join(home, p)),
  ]
  return [...new Set(paths.map(realPathOf))]
}
