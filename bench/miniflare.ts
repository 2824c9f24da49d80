/** The Worker as deployed: the bundle `wrangler deploy` builds, served by Miniflare directly. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Miniflare } from 'miniflare'
import { freePort } from '../scripts/stack/ports'
import { ROOT } from '../scripts/stack/wrangler'

/** The bundle `wrangler deploy` would upload, served by Miniflare with the stack's vars. */
export async function startMiniflare(
  dir: string,
  bindings: Record<string, string>,
  /** A port for the V8 inspector (bench/profile.ts takes CPU profiles through it). */
  inspectorPort?: number,
): Promise<Miniflare> {
  const out = join(dir, 'bundle')
  if (!existsSync(join(out, 'index.js'))) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out],
      { cwd: ROOT, stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
    )
  }
  return new Miniflare({
    modules: true,
    scriptPath: join(out, 'index.js'),
    modulesRoot: out,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat', 'enable_request_signal'],
    durableObjects: {
      TASK_STREAM: 'TaskStream',
      AGENT_BUS: 'AgentBus',
      WORKER_HUB: 'WorkerHub',
      SCHEDULER: 'TenantScheduler',
    },
    bindings,
    host: '127.0.0.1',
    port: await freePort(),
    inspectorPort,
    // The Worker logs a JSON line per request; the terminal printing thousands of them
    // would be measured too.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume()
      stderr.resume()
    },
  })
}
