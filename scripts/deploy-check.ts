/**
 * `npm run deploy:check`: bundles the Worker exactly as `wrangler deploy` would (offline,
 * --dry-run) and checks the gzipped size against the budget.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildUi } from './build-ui'
import { buildAgentKit } from './stack/build'
import { ROOT } from './stack/wrangler'

const BUDGET_GZIP_BYTES = 1024 * 1024

// The Worker bundles packages/agent-kit as built, and wrangler deploy uploads dist/ui as the
// static assets: both must exist and be current.
buildAgentKit()
await buildUi()
const outdir = mkdtempSync(join(tmpdir(), 'codetether-bundle-'))
try {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
      'deploy',
      '--dry-run',
      '--outdir',
      outdir,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  )
  const files = readdirSync(outdir).filter((f) => f.endsWith('.js'))
  let raw = 0
  let gzip = 0
  for (const f of files) {
    const data = readFileSync(join(outdir, f))
    raw += statSync(join(outdir, f)).size
    gzip += gzipSync(data, { level: 9 }).length
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
  console.log(`bundle: ${kib(raw)}, gzip: ${kib(gzip)} (budget ${kib(BUDGET_GZIP_BYTES)} gzip)`)
  if (gzip > BUDGET_GZIP_BYTES) {
    console.error('bundle is over budget')
    process.exitCode = 1
  }
} catch (err) {
  const e = err as { stderr?: Buffer; stdout?: Buffer; message: string }
  console.error(`wrangler deploy --dry-run failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`)
  process.exitCode = 1
} finally {
  rmSync(outdir, { recursive: true, force: true })
}
