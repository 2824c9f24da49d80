/** `codetether`: the coding-CLI executors (faked at the executable) and the A2A client commands. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { stack } from './helpers'
import {
  CLI,
  createWorkspaceTask,
  FAKE_BIN,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  workspaceOf,
} from './worker-helpers'

const run = promisify(execFile)

/** Runs the CLI to completion: exit code, stdout, stderr. */
async function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const child = execFile(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    timeout: 30_000,
  })
  if (input !== undefined) child.stdin?.end(input)
  else child.stdin?.end()
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => {
    stdout += d
  })
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, stdout, stderr }
}

const server = () => ['--server', stack().url, '--token', stack().devToken]

describe('coding-CLI executors', () => {
  test('claude, codex, opencode and aider run in the codebase; their events stream; resume and failure', async () => {
    const codebase = tempDir('clis')
    const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
      env: {
        PATH: `${FAKE_BIN}:${process.env.PATH}`,
        MY_SECRET_TOKEN: 'shh',
        ANTHROPIC_API_KEY: 'sk-ant',
      },
    })
    try {
      const workspace = await workspaceOf(codebase)
      for (const name of ['claude', 'codex', 'opencode', 'aider']) {
        const task = await createWorkspaceTask(workspace, {
          prompt: `WRITE by-${name}.txt`,
          metadata: { executor: name },
        })
        const done = await settled(task.id)
        assert.equal(done.status, 'completed', `${name}: ${JSON.stringify(done)}`)
        assert.equal(done.result, `echo: WRITE by-${name}.txt`, name)
        assert.equal(readFileSync(join(codebase, `by-${name}.txt`), 'utf8'), `written by ${name}`)
        const lines = await outputsOf(task.id)
        if (name !== 'aider') {
          assert.ok(lines.length >= 3, `${name} streamed its events`)
          for (const l of lines.filter((x) => !x.startsWith('[stderr]'))) JSON.parse(l)
        }
      }

      const resumed = await createWorkspaceTask(workspace, {
        prompt: 'go on',
        metadata: { executor: 'claude', resume_session_id: 'sess-earlier' },
      })
      assert.equal((await settled(resumed.id)).status, 'completed')
      const init = JSON.parse((await outputsOf(resumed.id))[0] as string)
      assert.ok(init.argv.includes('--resume=sess-earlier'), JSON.stringify(init.argv))

      // A "session id" that is really a flag (an MCP server that would run before any
      // permission) is no session id: the CLI never sees it.
      const injected = await createWorkspaceTask(workspace, {
        prompt: 'go on',
        metadata: {
          executor: 'claude',
          resume_session_id: '--mcp-config={"mcpServers":{"x":{"command":"sh"}}}',
        },
      })
      assert.equal((await settled(injected.id)).status, 'completed')
      const argv = JSON.parse((await outputsOf(injected.id))[0] as string).argv as string[]
      assert.ok(!argv.some((a) => a.includes('mcp-config')), JSON.stringify(argv))

      const failing = await createWorkspaceTask(workspace, {
        prompt: 'FAIL now',
        metadata: { executor: 'codex' },
      })
      const failed = await settled(failing.id)
      assert.equal(failed.status, 'failed')
      assert.match(failed.error ?? '', /codex/)

      // What commands see: no worker token, no unrelated secrets; a coding CLI keeps its key.
      const env = await createWorkspaceTask(workspace, { prompt: 'env', agent_type: 'command' })
      assert.equal((await settled(env.id)).status, 'completed')
      const vars = (await outputsOf(env.id)).join('\n')
      assert.match(vars, /^PATH=/m)
      assert.doesNotMatch(vars, /CODETETHER_TOKEN|MY_SECRET_TOKEN|ANTHROPIC_API_KEY/)
      assert.ok(!vars.includes(stack().devToken))
    } finally {
      assert.equal(await worker.stop(), 0, worker.output())
    }
  })
})

describe('the A2A client commands', () => {
  test('send prints the answer; --json prints the task; stream prints events in order', async () => {
    const sent = await cli(['send', 'add 2 and 3', ...server()])
    assert.equal(sent.code, 0, sent.stderr)
    assert.equal(sent.stdout.trim(), '2 + 3 = 5')
    const asJson = await cli(['send', 'multiply 6 and 7', '--json', ...server()])
    const task = JSON.parse(asJson.stdout)
    assert.equal(task.status.state, 3, 'TASK_STATE_COMPLETED')
    const streamed = await cli(['stream', 'Analyze: One fish. Two fish.', ...server()])
    assert.equal(streamed.code, 0, streamed.stderr)
    const kinds = streamed.stdout
      .trim()
      .split('\n')
      .map((l) => /^\[(\w+)\]/.exec(l)?.[1])
    assert.deepEqual(kinds, ['task', 'working', 'artifact', 'completed'])
  })

  test('chat keeps its context; tasks and agents list; exit codes mean something', async () => {
    const chat = await cli(['chat', ...server()], 'add 1 and 2\nmultiply 3 and 4\n/exit\n')
    assert.equal(chat.code, 0, chat.stderr)
    assert.deepEqual(chat.stdout.trim().split('\n'), ['1 + 2 = 3', '3 * 4 = 12'])
    const tasks = await cli(['tasks', '--json', '--limit', '5', ...server()])
    const recent = JSON.parse(tasks.stdout)
    assert.equal(recent.length, 5)
    assert.equal(recent[0].contextId, recent[1].contextId, 'both chat turns in one context')
    const agents = await cli(['agents', ...server()])
    assert.match(agents.stdout, /^agent +\S+/m)

    assert.equal((await cli(['--help'])).code, 0)
    assert.match((await cli(['worker', '--help'])).stdout, /--auto-approve/)
    assert.equal((await cli(['frobnicate'])).code, 2)
    assert.equal((await cli(['send', '--bogus'])).code, 2)
    const bad = await cli(['worker', '--auto-approve', 'maybe', ...server()])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /autoApprove/)
    const down = await cli(['send', 'hi', '--server', 'http://127.0.0.1:9'])
    assert.equal(down.code, 3)
    assert.match(down.stderr, /server/)
    assert.equal((await cli(['send', 'hi', '--server', stack().url, '--token', 'wrong'])).code, 3)
  })

  test('settings: the config file, then CODETETHER_* variables, then flags win', async () => {
    const dir = tempDir('config')
    const file = join(dir, 'config.json')
    writeFileSync(file, JSON.stringify({ server: stack().url, token: stack().devToken }))
    const viaFile = await cli(['send', 'add 1 and 1', '--config', file])
    assert.equal(viaFile.stdout.trim(), '1 + 1 = 2', viaFile.stderr)
    const down = { CODETETHER_SERVER: 'http://127.0.0.1:9' }
    assert.equal((await cli(['send', 'add 1 and 1', '--config', file], undefined, down)).code, 3)
    const flag = await cli(
      ['send', 'add 1 and 1', '--config', file, '--server', stack().url],
      undefined,
      down,
    )
    assert.equal(flag.code, 0, flag.stderr)
    writeFileSync(file, JSON.stringify({ autoApprove: 'sometimes' }))
    const bad = await cli(['worker', '--config', file])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /Invalid setting autoApprove/)
    writeFileSync(file, '{ not json')
    assert.match((await cli(['tasks', '--config', file])).stderr, /not valid JSON/)
    assert.equal((await cli(['tasks', '--config', join(dir, 'missing.json')])).code, 2)
  })

  test('--version prints the version', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--version'])
    assert.match(stdout, /^\d+\.\d+\.\d+$/m)
    assert.ok(existsSync(CLI))
  })
})
