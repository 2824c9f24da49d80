import { existsSync, realpathSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'

export class OutsideCodebase extends Error {}

// macOS's file system ignores case: /Users/A/.SSH is ~/.ssh there.
const fold = process.platform === 'darwin' ? (p: string) => p.toLowerCase() : (p: string) => p
const inside = (root: string, p: string) =>
  fold(p) === fold(root) || fold(p).startsWith(fold(root) + sep)

/**
 * Of the private paths (privatePaths), those a process would see: strictly inside a directory
 * it mounts, and not what its own binds need (a coding CLI's own state). A task's scratch
 * directory lies inside the worker's state; the state is not hidden from it.
 */
export const hiddenWithin = (
  mounts: string | readonly string[],
  hidden: readonly string[],
  own: readonly string[] = [],
) =>
  hidden.filter(
    (h) =>
      [mounts].flat().some((m) => fold(h) !== fold(m) && inside(m, h)) &&
      !own.some((o) => inside(o, h) || inside(h, o)),
  )

/**
 * The real path of `p` (absolute), also when it does not exist yet: the real path of its
 * nearest existing ancestor plus the rest. Paths are judged only in this form, so a symlink
 * cannot make a path look like it is somewhere it is not.
 */
export function realPathOf(p: string): string {
  const target = resolve(p)
  let existing = target
  while (!existsSync(existing)) existing = dirname(existing)
  return resolve(realpathSync(existing), relative(existing, target))
}

/**
 * The real path of `requested` within the codebase `root`, or OutsideCodebase. Checked twice:
 * lexically (no `..` or absolute path out), and on the real path, so a symlink inside the
 * codebase cannot lead out of it. A path that does not exist yet (a file to write) is allowed
 * when its existing ancestor is inside. The root itself must still be the real path it was
 * registered as: a codebase replaced by a symlink since would move every tool elsewhere.
 */
export function resolveInside(
  root: string,
  requested: string,
  hidden: readonly string[] = [],
): string {
  const realRoot = realpathSync(root)
  if (realRoot !== resolve(root))
    throw new OutsideCodebase(`the codebase ${root} now leads to ${realRoot} (through a symlink)`)
  const target = resolve(realRoot, requested)
  if (!inside(realRoot, target)) throw new OutsideCodebase(`${requested} is outside the codebase`)
  const real = realPathOf(target)
  if (!inside(realRoot, real)) {
    throw new OutsideCodebase(`${requested} leads outside the codebase (through a symlink)`)
  }
  if (hiddenWithin(realRoot, hidden).some((h) => inside(h, real)))
    throw new OutsideCodebase(
      `${requested} is private (a credential store or the worker's own files), hidden from tasks`,
    )
  return real
}

/** A path as the model should see it: relative to the codebase. */
export const shown = (root: string, abs: string) => relative(realpathSync(root), abs) || '.'

export const isPathLike = (s: string) => isAbsolute(s) || s.includes(sep)

/**
 * A credential by its name: one `_`-separated part of it ends in a credential word (API_KEY,
 * STRIPE_KEY, APIKEY, DB_PASS, PGPASS, MYSQL_PWD, GPG_PASSPHRASE, SENTRY_DSN, OAUTH …) or is
 * SESSION. Parts, not substrings: GIT_AUTHOR_NAME and KEYTIMEOUT stay.
 */
const SECRET_PART =
  /(KEYS?|TOKENS?|SECRETS?|PASSWORDS?|PASSWD|PASSPHRASE|PASS|PWD|CREDENTIALS?|COOKIES?|DSN|AUTH)$|^(SESSION|AUTHORIZATION)$/

/** A credential by its value: a URL with user info (postgres://u:p@…, a Sentry DSN), a key block, a well-known token prefix. */
const SECRET_VALUE =
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]+@|-----BEGIN [A-Z ]*PRIVATE KEY|^(sk-|sk_live_|rk_live_|ghp_|gho_|ghs_|github_pat_|glpat-|xox[abprs]-|AKIA[0-9A-Z]{16})/i

/** Ordinary names the rules above would catch: the shell's directories, the desktop session. */
const ORDINARY = new Set([
  'PWD',
  'OLDPWD',
  'DESKTOP_SESSION',
  'XDG_SESSION_ID',
  'XDG_SESSION_TYPE',
  'XDG_SESSION_CLASS',
  'XDG_SESSION_DESKTOP',
])

/** Whether a variable looks like a credential, by its name or its value. */
export function looksSecret(name: string, value = ''): boolean {
  if (ORDINARY.has(name)) return false
  const parts = name.toUpperCase().split(/[_.-]+/)
  return parts.some((p) => SECRET_PART.test(p)) || SECRET_VALUE.test(value)
}

/**
 * The environment for a task's commands: the worker's, without CodeTether's own settings and
 * anything that looks like a credential, except the names an executor needs (a coding CLI's
 * own provider key) and those the user allowed with CODETETHER_PASS_ENV.
 */
export function childEnv(env: NodeJS.ProcessEnv, keep: readonly string[] = []): NodeJS.ProcessEnv {
  const allowed = new Set([
    ...keep,
    ...(env.CODETETHER_PASS_ENV ?? '').split(',').map((s) => s.trim()),
  ])
  const out: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(env)) {
    if (allowed.has(k)) out[k] = v
    else if (k.startsWith('CODETETHER_') || k.startsWith('npm_') || looksSecret(k, v)) continue
    else out[k] = v
  }
  return out
}
