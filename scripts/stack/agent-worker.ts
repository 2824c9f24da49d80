import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './wrangler'

const tsc = (project: string) =>
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
    cwd: ROOT,
    stdio: 'inherit',
  })

/**
 * Builds the workspace packages from their sources: packages/agent-kit (the edge app bundles
 * it as built) and agent-worker/dist (tests and benchmarks run the CLI as built).
 */
export function buildAgentWorker() {
  tsc('packages/agent-kit')
  tsc('agent-worker')
}
