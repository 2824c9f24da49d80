import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { CONFIG_KEYS } from '../src/env'

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
  assert.deepEqual(
    CONFIG_KEYS.filter((k) => !named.has(k)),
    [],
  )
})
