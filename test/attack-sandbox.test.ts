/**
 * Attacks on what a task's processes reach on the worker's machine: the OS sandbox (bubblewrap),
 * codebase paths through symlinks, and the environment commands inherit. A real
 * `codetether worker` against the test stack; the bubblewrap cases need Debian's bubblewrap,
 * which the stack installs (scripts/stack/packages.ts): without it they fail, saying so.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { api } from './helpers'
import {
  createWorkspaceTask,
  FAKE_BIN,
  outputsOf,
  readFile,
  settled,
  startWorker,
  tempDir,
  until,
  type WorkerProcess,
  workspaceOf,
} from './worker-helpers'

const BWRAP = '/usr/bin/bwrap'
/** The setting's variable rather than the flag: a worker that ignores it still runs the task. */
const REQUIRED = { CODETETHER_SANDBOX: 'required' }

function needBwrap() {
  assert.ok(
    existsSync(BWRAP),
    `${BWRAP} is missing: the test stack installs Debian's bubblewrap (apt-get install bubblewrap)`,
  )
}

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

const exitCode = async (worker: WorkerProcess) =>
  (
    await until('the worker to exit', async () =>
      worker.child.exitCode === null ? undefined : { code: worker.child.exitCode },
    )
  ).code

describe('the OS sandbox (bubblewrap)', () => {
  test('a command reads and writes its codebase, and nothing of home or outside it', async () => {
    needBwrap()
    const outside = tempDir('outside')
    writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET\n')
    await withWorker(
      ['--auto-approve', 'all'],
      async (w) => {
        const run = await commandTask(
          w.workspace,
          [
            'cat inside.txt',
            `cat ${join(w.home, 'secret.txt')} || echo NO-HOME`,
            `cat ${join(outside, 'secret.txt')} || echo NO-OUTSIDE`,
            `ls ${w.home} | grep -q secret || echo HOME-EMPTY`,
            `echo x > ${join(outside, 'escaped.txt')} || echo NO-WRITE-OUTSIDE`,
            'echo made > made.txt && echo WROTE',
          ].join('; '),
        )
        assert.equal(run.status, 'completed', run.error ?? '')
        for (const seen of [
          'inside content',
          'NO-HOME',
          'NO-OUTSIDE',
          'HOME-EMPTY',
          'NO-WRITE-OUTSIDE',
          'WROTE',
        ])
          assert.ok(run.output.includes(seen), `${seen} in:\n${run.output}`)
        assert.ok(!run.output.includes('TOP SECRET'), run.output)
        assert.ok(existsSync(join(w.codebase, 'made.txt')), 'the write inside the codebase landed')
        assert.ok(!existsSync(join(outside, 'escaped.txt')), 'nothing was written outside')
      },
      REQUIRED,
    )
  })

  test('without write approval the codebase is read-only, even to a CLI that ignores its flags', async () => {
    needBwrap()
    await withWorker(
      ['--auto-approve', 'safe'],
      async (w) => {
        const task = await createWorkspaceTask(w.workspace, {
          prompt: 'WRITE! forced.txt',
          metadata: { executor: 'claude' },
        })
        const done = await settled(task.id)
        const output = (await outputsOf(task.id)).join('\n')
        assert.equal(done.status, 'completed', done.error ?? '')
        assert.ok(!existsSync(join(w.codebase, 'forced.txt')), 'the codebase was not written')
        assert.match(output, /read-only file system/i)
        // Its own state stays writable: the conversation is kept in the real ~/.claude.
        assert.ok(existsSync(join(w.home, '.claude', 'projects')), 'claude kept its session')
      },
      { PATH: `${FAKE_BIN}:${process.env.PATH}`, ...REQUIRED },
    )
  })

  test('a CLI allowed everything still cannot rewrite its own settings (hooks run later, unsandboxed)', async () => {
    needBwrap()
    await withWorker(
      ['--auto-approve', 'all'],
      async (w) => {
        const settings = join(w.home, '.claude', 'settings.json')
        mkdirSync(dirname(settings), { recursive: true })
        writeFileSync(settings, '{}\n')
        const task = await createWorkspaceTask(w.workspace, {
          prompt: `WRITE! ${settings}`,
          metadata: { executor: 'claude' },
        })
        const done = await settled(task.id)
        assert.equal(done.status, 'completed', done.error ?? '')
        assert.equal(readFile(settings), '{}\n', 'the settings are unchanged')
        assert.match((await outputsOf(task.id)).join('\n'), /read-only file system/i)
      },
      { PATH: `${FAKE_BIN}:${process.env.PATH}`, ...REQUIRED },
    )
  })

  test('--sandbox-read shows a chosen directory read-only (a toolchain under home)', async () => {
    needBwrap()
    const tools = tempDir('tools')
    writeFileSync(join(tools, 'tool.txt'), 'tool content\n')
    await withWorker(
      ['--auto-approve', 'all', '--sandbox-read', tools],
      async (w) => {
        const run = await commandTask(
          w.workspace,
          `cat ${join(tools, 'tool.txt')}; echo x > ${join(tools, 'new.txt')} || echo NO-WRITE`,
        )
        assert.equal(run.status, 'completed', run.error ?? '')
        assert.match(run.output, /tool content/)
        assert.match(run.output, /NO-WRITE/)
        assert.ok(!existsSync(join(tools, 'new.txt')))
      },
      REQUIRED,
    )
  })

  test('--sandbox required refuses to start without bwrap; auto starts and warns', async () => {
    const codebase = tempDir('codebase')
    const noBwrap = tempDir('bin') // PATH with no bwrap on it
    const required = startWorker(['--codebases', codebase, '--sandbox', 'required'], {
      env: { PATH: noBwrap },
    })
    assert.equal(await exitCode(required), 2, required.output())
    assert.match(required.output(), /--sandbox required: bwrap is not on PATH/)

    const auto = startWorker(['--codebases', codebase, '--sandbox', 'auto'], {
      env: { PATH: noBwrap },
    })
    await workspaceOf(codebase)
    await until('the warning', async () => /running UNSANDBOXED/.test(auto.output()))
    await auto.stop()
  })
})

describe('codebase paths are judged where they lead', () => {
  test('a symlink inside the roots to a directory outside is refused as a codebase or clone target', async () => {
    const outside = tempDir('outside')
    await withWorker(['--auto-approve', 'safe'], async (w) => {
      const link = join(w.codebase, 'link')
      symlinkSync(outside, link)
      const res = await api('/v1/agent/codebases', {
        method: 'POST',
        json: { name: 'via-link', path: link },
      })
      // Outside the roots under safe, it waits for a person, asking about where the link
      // leads: the approver sees the real target, not the innocent-looking link.
      const asked = (await res.json()) as { task_id: string }
      const done = await settled(asked.task_id)
      assert.equal(done.status, 'needs_input', JSON.stringify(done))
      const pending = done.metadata.pending_action as { input: { path: string } }
      assert.equal(pending.input.path, realpathSync(outside))
      // A clone into a new directory through the link is judged where the link leads, too.
      const cloned = await api('/v1/agent/codebases', {
        method: 'POST',
        json: { name: 'clone', path: join(link, 'repo'), git_url: 'https://127.0.0.1:9/r.git' },
      })
      const cloneId = ((await cloned.json()) as { task_id: string }).task_id
      const clone = await settled(cloneId)
      assert.equal(clone.status, 'needs_input', JSON.stringify(clone))
      const cloneAsk = clone.metadata.pending_action as { input: { path: string } }
      assert.equal(cloneAsk.input.path, join(realpathSync(outside), 'repo'))
      assert.ok(!existsSync(join(outside, 'repo')), 'nothing was cloned outside the roots')
      for (const id of [asked.task_id, cloneId])
        await api(`/v1/agent/tasks/${id}/cancel`, { method: 'POST' })
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
