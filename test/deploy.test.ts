import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'

test('npm run deploy:check bundles the Worker offline within the size budget', () => {
  const out = execFileSync('npm', ['run', '--silent', 'deploy:check'], { encoding: 'utf8' })
  const m = /bundle: ([\d.]+) KiB, gzip: ([\d.]+) KiB/.exec(out)
  assert.ok(m, out)
  assert.ok(Number(m[2]) < 1024, `gzip ${m[2]} KiB`)
  assert.ok(Number(m[2]) > 10, 'suspiciously small bundle')
})
