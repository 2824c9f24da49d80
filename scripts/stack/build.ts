import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './wrangler'

const tsc = (project: string) =>
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
    cwd: ROOT,
    stdio: 'inherit',
  })

/** Builds packages/agent-kit from its sources: the edge app bundles it as built. */
export function buildAgentKit() {
  tsc('packages/agent-kit')
}

/** The kit, then agent-worker/dist, which uses it (tests and benchmarks run the CLI as built). */
export function buildPackages() {
  buildAgentKit()
  tsc('agent-worker')
}
