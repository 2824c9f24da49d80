/**
 * Attacks on what a task's processes reach on the worker's machine: the OS sandbox (bubblewrap),
 * codebase paths through symlinks, and the environment commands inherit. A real
 * `codetether worker` against the test stack; the bubblewrap cases need Debian's bubblewrap,
 * which the stack installs (scripts/stack/packages.ts): without it they fail, saying so.
 */
import assert from 'node:assert/strict'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { api } from './helpers'
import {
  createWorkspaceTask,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  workspaceOf,
} from './worker-helpers'

/** A worker serving one fresh codebase; `home` is its HOME, holding a secret. */
async function withWorker(
  args: string[],
  run: (ctx: { codebase: string; home: string; workspace: string }) => Promise<void>,
  env: Record<string, string> = {},
) {
  const codebase = tempDir('codebase')
  writeFileSync(join(codebase, 'inside.txt'), 'inside content\n')
  const home = tempDir('home')
  writeFileSync(join(home, 'secret.txt'), 'TOP SECRET\n')
  const worker = startWorker(['--codebases', codebase, ...args], { env: { HOME: home, ...env } })
  try {
    await run({ codebase, home, workspace: await workspaceOf(codebase) })
  } catch (err) {
    throw new Error(`${(err as Error).message}\nworker log:\n${worker.output()}`)
  } finally {
    await worker.stop()
  }
}

/** Runs `command` as a command task and answers its outcome and output. */
async function commandTask(workspace: string, command: string) {
  const task = await createWorkspaceTask(workspace, {
    prompt: 'run it',
    agent_type: 'command',
    metadata: { command },
  })
  const done = await settled(task.id)
  return { ...done, output: (await outputsOf(task.id)).join('\n') }
}

describe('codebase paths are judged where they lead', () => {
  test('a symlink inside the roots to a directory outside is refused as a codebase', async () => {
    const outside = tempDir('outside')
    await withWorker(['--auto-approve', 'safe'], async (w) => {
      const link = join(w.codebase, 'link')
      symlinkSync(outside, link)
      const res = await api('/v1/agent/codebases', {
        method: 'POST',
        json: { name: 'via-link', path: link },
      })
      const asked = (await res.json()) as { task_id: string }
      const done = await settled(asked.task_id)
      assert.equal(done.status, 'failed', JSON.stringify(done))
      assert.match(done.error ?? '', /Refused/)
      for (const p of [link, outside]) {
        const rows = await (await api(`/v1/agent/codebases?path=${encodeURIComponent(p)}`)).json()
        assert.deepEqual(rows, [], `${p} was not registered`)
      }
    })
  })

  test('--codebases through a symlink registers and serves the real directory', async () => {
    const real = tempDir('real')
    const links = tempDir('links')
    const link = join(links, 'project')
    symlinkSync(real, link)
    const worker = startWorker(['--codebases', link])
    try {
      await workspaceOf(real)
      const rows = await (await api(`/v1/agent/codebases?path=${encodeURIComponent(link)}`)).json()
      assert.deepEqual(rows, [], 'the link itself is not what the server holds')
    } finally {
      await worker.stop()
    }
  })
})

describe('the environment of a command', () => {
  test('credential-looking variables are withheld; ordinary ones pass', async () => {
    // [name, value, passes?]
    const table: [string, string, boolean][] = [
      ['DATABASE_URL', 'postgres://app:hunter2@db:5432/app', false],
      ['REDIS_URL', 'redis://:hunter2@cache:6379', false],
      ['DB_PASS', 'hunter2', false],
      ['MYSQL_PWD', 'hunter2', false],
      ['PGPASSWORD', 'hunter2', false],
      ['STRIPE_KEY', 'sk_live_abc', false],
      ['OPENAI_KEY', 'sk-abc', false],
      ['AWS_ACCESS_KEY_ID', 'AKIAABCDEFGHIJKLMNOP', false],
      ['GPG_PASSPHRASE', 'correct horse', false],
      ['SENTRY_DSN', 'https://abc123@o1.ingest.sentry.io/42', false],
      ['GITHUB_TOKEN', 'ghp_abc', false],
      ['HARMLESS_LOOKING', 'ghp_abcdef', false],
      ['LANG', 'C.UTF-8', true],
      ['TERM', 'xterm-256color', true],
      ['EDITOR', 'vim', true],
      ['KEYTIMEOUT', '1', true],
      ['GIT_AUTHOR_NAME', 'Ada', true],
      ['PLAIN_URL', 'https://example.com/x', true],
    ]
    const env = Object.fromEntries(table.map(([k, v]) => [k, v]))
    await withWorker(
      ['--auto-approve', 'all'],
      async (w) => {
        const run = await commandTask(w.workspace, 'env')
        assert.equal(run.status, 'completed', run.error ?? '')
        const seen = new Set(run.output.split('\n').map((l) => l.split('=')[0]))
        for (const name of ['PATH', 'HOME']) assert.ok(seen.has(name), `${name} passes`)
        const wrong = table.filter(([k, , passes]) => seen.has(k) !== passes).map(([k]) => k)
        assert.deepEqual(wrong, [], 'every variable judged as the table says')
      },
      env,
    )
  })
})
