/** The Worker as deployed: the bundle `wrangler deploy` builds, served by Miniflare directly. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Miniflare } from 'miniflare'
import { freePort } from '../scripts/stack/ports'
import { ROOT } from '../scripts/stack/wrangler'

/** A Worker served for the bench: its Miniflare, and the base URL of the Worker's own socket. */
export interface Served {
  mf: Miniflare
  base: string
}

/**
 * The bundle `wrangler deploy` would upload, served by Miniflare with the stack's vars.
 *
 * Requests go to a socket of the Worker itself, not to Miniflare's entry socket: that one
 * passes every request through an entry worker of Miniflare's own (dev-time headers, error
 * pages, live reload) which Cloudflare does not run, and which cost 0.2–0.4 ms a request here,
 * more than our whole request.
 */
export async function startMiniflare(
  dir: string,
  bindings: Record<string, string>,
  /** A port for the V8 inspector (bench/profile.ts takes CPU profiles through it). */
  inspectorPort?: number,
): Promise<Served> {
  const out = join(dir, 'bundle')
  if (!existsSync(join(out, 'index.js'))) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out],
      { cwd: ROOT, stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
    )
  }
  const port = await freePort()
  let direct = await freePort()
  while (direct === port) direct = await freePort()
  const mf = new Miniflare({
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
    port,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: direct }],
    inspectorPort,
    // The Worker logs a JSON line per request; the terminal printing thousands of them
    // would be measured too.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume()
      stderr.resume()
    },
  })
  try {
    await mf.ready
    const base = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, '')
    return { mf, base }
  } catch (err) {
    await mf.dispose()
    throw err
  }
}

/**
 * A bare Worker (one module's source) on its own direct socket, for floors: disposed by
 * `cleanups`. Answers its base URL.
 */
export async function serveScript(
  script: string,
  bindings: Record<string, string>,
  cleanups: (() => unknown)[],
): Promise<string> {
  const direct = await freePort()
  let port = await freePort()
  while (port === direct) port = await freePort()
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-09-01',
    bindings,
    host: '127.0.0.1',
    port,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: direct }],
  })
  cleanups.unshift(() => mf.dispose())
  await mf.ready
  return (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, '')
}
