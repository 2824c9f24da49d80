/**
 * A worker's global codebase is the user's home directory, where tasks for `global` run. Home
 * holds the user's credential stores (~/.ssh, ~/.git-credentials …) and the worker's own files
 * (its state: journals, transcripts; its settings, which may hold the token): no task may see
 * them, through a process in the sandbox or through the LLM loop's tools.
 */
import assert from 'node:assert/strict'
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { startFakeLlm } from './fakes/llm-server'
import { api } from './helpers'
import {
  createWorkspaceTask,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  until,
  type WorkerProcess,
} from './worker-helpers'

const SECRET = 'ct-settings-secret-4711'
const SSH_KEY = 'ssh-private-key-0815'
const GIT_TOKEN = 'ghp_git-credentials-2342'

/** A home with a file of the user's, the worker's settings and its state where they default to. */
function homeWithWorkerFiles() {
  const home = realpathSync(tempDir('global-home'))
  writeFileSync(join(home, 'notes.txt'), 'the user’s notes\n')
  mkdirSync(join(home, '.config/codetether'), { recursive: true })
  const config = join(home, '.config/codetether/config.json')
  writeFileSync(config, JSON.stringify({ concurrency: 2, note: SECRET }))
  // Credential stores of the user's: a directory and a file.
  mkdirSync(join(home, '.ssh'))
  writeFileSync(join(home, '.ssh/id_ed25519'), SSH_KEY)
  writeFileSync(join(home, '.git-credentials'), `https://me:${GIT_TOKEN}@github.com\n`)
  // Where the workers' state defaults to; this one's, and its log beside it.
  mkdirSync(join(home, '.local/state/codetether'), { recursive: true })
  return { home, config, stateDir: join(home, '.local/state/codetether/w') }
}

async function withGlobalWorker(
  extra: string[],
  env: Record<string, string>,
  run: (home: string, worker: WorkerProcess) => Promise<void>,
) {
  const { home, config, stateDir } = homeWithWorkerFiles()
  const worker = startWorker(['--auto-approve', 'all', ...extra], {
    stateDir,
    name: 'global-attack',
    env: { HOME: home, CODETETHER_CONFIG: config, CODETETHER_SANDBOX: 'required', ...env },
  })
  try {
    await until('the global codebase registered', async () => {
      const rows = (await (
        await api(`/v1/agent/codebases?path=${encodeURIComponent(home)}`)
      ).json()) as { global: boolean }[]
      return rows.some((r) => r.global)
    })
    await run(home, worker)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nworker log:\n${worker.output()}`)
  } finally {
    await worker.stop()
  }
}

describe("the global codebase: the home directory, without its credentials or the worker's files", () => {
  test("a task for global runs in the home directory; credentials and the worker's files there are hidden", async () => {
    await withGlobalWorker([], {}, async (home) => {
      const task = await createWorkspaceTask('global', {
        prompt: 'look around',
        agent_type: 'command',
        metadata: {
          command: [
            'pwd',
            'cat notes.txt',
            `cat .config/codetether/config.json || echo NO-SETTINGS`,
            'echo "state entries: $(ls -A .local/state/codetether/w | wc -l)"',
            `grep -rl ${SECRET} . 2>/dev/null || echo NOT-FOUND`,
            'cat .ssh/id_ed25519 || echo NO-SSH',
            'cat .git-credentials; echo GIT-READ',
          ].join('; '),
        },
      })
      const done = await settled(task.id)
      assert.equal(done.status, 'completed', done.error ?? '')
      const output = (await outputsOf(task.id)).join('\n')
      for (const seen of [
        home,
        'the user’s notes',
        'NO-SETTINGS',
        'state entries: 0',
        'NOT-FOUND',
        'NO-SSH',
        'GIT-READ',
      ])
        assert.ok(output.includes(seen), `${seen} in:\n${output}`)
      for (const secret of [SECRET, SSH_KEY, GIT_TOKEN]) assert.ok(!output.includes(secret), output)
    })
  })

  test("the LLM loop's tools neither read nor search the worker's own files there", async () => {
    let seen = ''
    const llm = await startFakeLlm(({ body }) => {
      const results = (body.messages ?? []).filter((m: { role: string }) => m.role === 'tool')
      const steps = [
        { name: 'read_file', args: { path: '.config/codetether/config.json' } },
        { name: 'list_files', args: { path: '.local/state/codetether/w' } },
        { name: 'search', args: { pattern: 'ct-settings|ghp_git|ssh-private' } },
        { name: 'read_file', args: { path: '.ssh/id_ed25519' } },
        { name: 'read_file', args: { path: 'notes.txt' } },
      ]
      const next = steps[results.length]
      if (next) return { toolCalls: [next] }
      seen = JSON.stringify(results)
      return { toolCalls: [{ name: 'finish', args: { summary: 'done' } }] }
    })
    try {
      await withGlobalWorker(
        ['--model', 'openai/fake-model'],
        { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${llm.url}/v1` },
        async () => {
          const task = await createWorkspaceTask('global', { prompt: 'find the secret' })
          assert.equal((await settled(task.id)).status, 'completed')
        },
      )
    } finally {
      await llm.close()
    }
    for (const secret of [SECRET, SSH_KEY, GIT_TOKEN]) assert.ok(!seen.includes(secret), seen)
    assert.equal(
      seen.match(/is private \(a credential store or the worker's own files\)/g)?.length,
      3,
      seen,
    )
    assert.match(seen, /no matches/)
    assert.match(seen, /the user’s notes/)
  })

  test('--no-global: the worker registers no global codebase and announces none', async () => {
    const { home, stateDir } = homeWithWorkerFiles()
    const codebase = tempDir('no-global')
    const worker = startWorker(['--codebases', codebase, '--no-global'], {
      stateDir,
      name: 'no-global',
      env: { HOME: home },
    })
    try {
      // Registered in full (codebases, then the global one it would have) once it listens.
      await until('the worker listening', async () =>
        worker.output().includes('task stream connected'),
      )
      const rows = (await (
        await api(`/v1/agent/codebases?path=${encodeURIComponent(home)}`)
      ).json()) as unknown[]
      assert.deepEqual(rows, [])
    } finally {
      await worker.stop()
    }
  })
})
