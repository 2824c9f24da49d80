import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

test('npm run deploy:check bundles the Worker offline within the size budget', () => {
  const out = execFileSync('npm', ['run', '--silent', 'deploy:check'], { encoding: 'utf8' })
  const m = /bundle: ([\d.]+) KiB, gzip: ([\d.]+) KiB/.exec(out)
  assert.ok(m, out)
  assert.ok(Number(m[2]) < 1024, `gzip ${m[2]} KiB`)
  assert.ok(Number(m[2]) > 10, 'suspiciously small bundle')
})

test('.dev.vars.example names every setting the Worker reads', () => {
  const example = readFileSync(new URL('../.dev.vars.example', import.meta.url), 'utf8')
  const named = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]))
  // The settings are the keys of ConfigSchema, one per line at its first level of indent.
  const env = readFileSync(new URL('../src/env.ts', import.meta.url), 'utf8')
  const schema = env.slice(env.indexOf('const ConfigSchema = z.object({'))
  const keys = [...schema.slice(0, schema.indexOf('\n})')).matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)]
  assert.ok(keys.length > 30, `${keys.length} settings found in src/env.ts`)
  assert.deepEqual(
    keys.map((m) => m[1]).filter((k) => !named.has(k)),
    [],
  )
})
