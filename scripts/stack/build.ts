import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './wrangler'

/** The newest modification time of the files below `dir` (0 when there are none). */
function newest(dir: string): number {
  let latest = 0
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(join(dir, file))
    if (stat.isFile()) latest = Math.max(latest, stat.mtimeMs)
  }
  return latest
}

/**
 * Compiles a workspace package with tsc unless its build is newer than its sources. A build
 * that changes nothing must not rewrite dist: a running `wrangler dev` watching the files it
 * bundles would restart the Worker (the test suite's deploy check builds mid-run).
 */
function tsc(project: string, force = false): boolean {
  const dir = join(ROOT, project)
  const stamp = join(dir, 'dist', '.built')
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  const sources = Math.max(newest(join(dir, 'src')), statSync(join(dir, 'tsconfig.json')).mtimeMs)
  if (!force && built > sources) return false
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  writeFileSync(stamp, `${new Date().toISOString()}\n`)
  return true
}

/** Builds packages/agent-kit from its sources: the edge app bundles it as built. */
export function buildAgentKit(): boolean {
  return tsc('packages/agent-kit')
}

/**
 * The REST API's types, the kit, then agent-worker/dist, which uses both (tests and benchmarks
 * run the CLI as built).
 */
export function buildPackages() {
  // The worker compiles against the kit's declarations: a new kit means a new build.
  const kit = buildAgentKit()
  // The API types come from the app, which imports the kit as built.
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/api-types.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  tsc('agent-worker', kit)
}
