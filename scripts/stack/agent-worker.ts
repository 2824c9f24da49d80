import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './wrangler'

/** Builds agent-worker/dist from its sources (tests and benchmarks run the CLI as built). */
export function buildAgentWorker() {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'agent-worker'],
    { cwd: ROOT, stdio: 'inherit' },
  )
}
