/**
 * Builds the monitor UI (ui/) into dist/ui/v1/monitor/, which wrangler serves as static assets
 * at /v1/monitor/, and the headers they are served with into dist/ui/_headers. Run by `npm ci`
 * (prepare), by every stack start and by deploy:check, so the built files never need to be
 * committed.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildSync } from 'esbuild'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { MONITOR_POLICY } from '../src/lib/security-headers'

const ROOT = new URL('../', import.meta.url).pathname
const SRC = join(ROOT, 'ui')
export const UI_ASSETS = join(ROOT, 'dist/ui')
const OUT = join(UI_ASSETS, 'v1/monitor')
const SHELL = ['index.html', 'app.js', 'app.css', 'sw.js', 'manifest.webmanifest', 'icon.svg']

/**
 * A file is written only when its content changed, so a `wrangler dev` already serving
 * dist/ui from this checkout (npm start beside npm test) never sees it vanish.
 */
function put(path: string, content: string | Uint8Array) {
  const next = Buffer.from(content)
  if (existsSync(path) && readFileSync(path).equals(next)) return
  writeFileSync(path, next)
}

/**
 * Cloudflare's assets layer (and wrangler dev's) serves the monitor's files without running the
 * Worker, and adds the headers listed in the assets directory's `_headers` file. They are what
 * the Worker's own middleware would set for MONITOR_POLICY, so the two cannot drift apart.
 */
async function assetHeaders(): Promise<string> {
  const app = new Hono().use(secureHeaders(MONITOR_POLICY)).get('/', (c) => c.body(null))
  const { headers } = await app.request('/')
  const lines = [...headers].map(([name, value]) => `  ${name}: ${value}`)
  return `/*\n${lines.join('\n')}\n`
}

export async function buildUi(): Promise<{ files: Record<string, number> }> {
  mkdirSync(OUT, { recursive: true })
  const result = buildSync({
    entryPoints: { app: join(SRC, 'src/main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: OUT,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const files: Record<string, number> = {}
  const headers = await assetHeaders()
  // The service worker keeps the shell's responses, headers and all, for offline use: new
  // headers are a new version too, or an old copy without them could still be served.
  const hash = createHash('sha256').update(headers)
  for (const f of result.outputFiles) {
    hash.update(f.contents)
    put(f.path, f.contents)
  }
  const version = hash.digest('hex').slice(0, 12)
  // The version in the names of the shell's files: a new build is a new URL and a new cache.
  const html = readFileSync(join(SRC, 'index.html'), 'utf8').replaceAll('__VERSION__', version)
  put(join(OUT, 'index.html'), html)
  const sw = readFileSync(join(SRC, 'sw.js'), 'utf8').replaceAll('__VERSION__', version)
  put(join(OUT, 'sw.js'), sw)
  for (const f of ['manifest.webmanifest', 'icon.svg'])
    put(join(OUT, f), readFileSync(join(SRC, f)))
  put(join(UI_ASSETS, '_headers'), headers)
  for (const f of SHELL) files[f] = readFileSync(join(OUT, f)).length
  // Anything else in the output is left from an older build.
  for (const f of readdirSync(OUT)) if (!SHELL.includes(f)) rmSync(join(OUT, f))
  return { files }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files } = await buildUi()
  const total = Object.values(files).reduce((a, b) => a + b, 0)
  console.error(`[ui] built dist/ui/v1/monitor (${(total / 1024).toFixed(1)} KiB)`)
}
