import { existsSync, realpathSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'

export class OutsideCodebase extends Error {}

const inside = (root: string, p: string) => p === root || p.startsWith(root + sep)

/**
 * The real path of `requested` within the codebase `root`, or OutsideCodebase. Checked twice:
 * lexically (no `..` or absolute path out), and on the real path of the nearest existing
 * ancestor, so a symlink inside the codebase cannot lead out of it. A path that does not
 * exist yet (a file to write) is allowed when its existing ancestor is inside.
 */
export function resolveInside(root: string, requested: string): string {
  const realRoot = realpathSync(root)
  const target = resolve(realRoot, requested)
  if (!inside(realRoot, target)) throw new OutsideCodebase(`${requested} is outside the codebase`)
  let existing = target
  while (!existsSync(existing)) existing = dirname(existing)
  const real = realpathSync(existing)
  if (!inside(realRoot, real)) {
    throw new OutsideCodebase(`${requested} leads outside the codebase (through a symlink)`)
  }
  return resolve(real, relative(existing, target))
}

/** A path as the model should see it: relative to the codebase. */
export const shown = (root: string, abs: string) => relative(realpathSync(root), abs) || '.'

export const isPathLike = (s: string) => isAbsolute(s) || s.includes(sep)

/** Environment names that look like credentials. */
const SECRET = /(TOKEN|SECRET|PASSW(OR)?D|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|SESSION|COOKIE)/i

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
    else if (k.startsWith('CODETETHER_') || k.startsWith('npm_') || SECRET.test(k)) continue
    else out[k] = v
  }
  return out
}
