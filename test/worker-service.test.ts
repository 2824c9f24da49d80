/**
 * `codetether worker install | status | uninstall`: the systemd user unit and environment file
 * it writes, run as systemd would run them (the command of ExecStart with the variables of
 * EnvironmentFile and nothing else), doing work. systemctl itself is a recording script: a
 * test machine has no systemd user session.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { api, stack } from './helpers'
import { uid } from './queue-helpers'
import {
  CLI,
  createWorkspaceTask,
  outputsOf,
  settled,
  tempDir,
  workspaceOf,
} from './worker-helpers'

const home = tempDir('svc-home')
chmodSync(home, 0o700)
const bin = tempDir('svc-bin')
const calls = join(bin, 'systemctl.log')
writeFileSync(
  join(bin, 'systemctl'),
  `#!/bin/sh\necho "$@" >> '${calls}'\n[ "$2" = status ] && echo 'active (running)'\nexit 0\n`,
  { mode: 0o755 },
)
const unitFile = join(home, '.config/systemd/user/codetether-worker.service')
const envFile = join(home, '.config/codetether/worker.env')
const codebase = tempDir('svc-codebase')
// Quotes, spaces and a % (a systemd specifier) must survive the unit and the env file.
const name = `svc-${uid()} "q" 100%`
let service: ChildProcess | undefined

after(() => {
  service?.kill('SIGKILL')
})

/** `codetether …` as the user runs it, in the test's home, with the recording systemctl. */
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: home, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  })
  return { code: r.status, out: r.stdout + r.stderr }
}

/** ExecStart's words, unquoted as systemd does (our writer quotes every one). */
const execStart = (unit: string) =>
  [...(/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) =>
    (m[1] as string).replace(/\\(.)/g, '$1').replace(/%%/g, '%').replace(/\$\$/g, '$'),
  )

/** EnvironmentFile's variables, unquoted as systemd does. */
function envOf(text: string): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const m of text.matchAll(/^([A-Z0-9_]+)="((?:[^"\\]|\\.)*)"$/gm))
    vars[m[1] as string] = (m[2] as string).replace(/\\(.)/g, '$1')
  return vars
}

describe('codetether worker install', () => {
  test('without codebases it refuses, and writes nothing', () => {
    const r = cli(['worker', 'install', '--server', stack().url])
    assert.equal(r.code, 2, r.out)
    assert.match(r.out, /needs --codebases/)
    assert.equal(existsSync(unitFile), false)
  })

  test('writes a unit and a private environment file, and enables the unit', () => {
    const r = cli(
      ['worker', 'install', '--codebases', codebase, '--name', name, '--auto-approve', 'all'],
      {
        CODETETHER_SERVER: stack().url,
        CODETETHER_TOKEN: stack().devToken,
        OPENAI_API_KEY: 'sk-carried-123',
        UNRELATED_SECRET: 'stays-behind',
      },
    )
    assert.equal(r.code, 0, r.out)
    const unit = readFileSync(unitFile, 'utf8')
    assert.match(unit, /^WantedBy=default\.target$/m)
    assert.match(unit, /^Restart=on-failure$/m)
    assert.match(unit, new RegExp(`^EnvironmentFile=${envFile}$`, 'm'))
    assert.deepEqual(execStart(unit).slice(2), ['worker', '--grace', '30'])
    // Secrets live in the environment file only, and only the user may read it.
    assert.doesNotMatch(unit, new RegExp(stack().devToken))
    assert.equal(statSync(envFile).mode & 0o777, 0o600)
    const env = envOf(readFileSync(envFile, 'utf8'))
    assert.equal(env.CODETETHER_TOKEN, stack().devToken)
    assert.equal(env.CODETETHER_CODEBASES, codebase)
    assert.equal(env.CODETETHER_WORKER_NAME, name)
    assert.equal(env.CODETETHER_AUTO_APPROVE, 'all')
    assert.equal(env.OPENAI_API_KEY, 'sk-carried-123')
    assert.equal(env.UNRELATED_SECRET, undefined)
    assert.ok(env.PATH?.startsWith(bin))
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
      '--user daemon-reload',
      '--user enable --now codetether-worker.service',
    ])
  })

  test('what it wrote runs the worker: it connects and does a task in the codebase', async () => {
    const [command, ...args] = execStart(readFileSync(unitFile, 'utf8'))
    // As systemd starts it: HOME, the file's variables, no shell environment.
    service = spawn(command as string, args, {
      env: { HOME: home, ...envOf(readFileSync(envFile, 'utf8')) },
      stdio: 'ignore',
    })
    const workspace = await workspaceOf(codebase)
    const workers = (await (await api('/v1/agent/workers')).json()) as { name: string }[]
    assert.ok(
      workers.some((w) => w.name === name),
      'registered under the name, as given',
    )
    const task = await createWorkspaceTask(workspace, {
      prompt: 'echo "served by $(basename "$PWD")"',
      agent_type: 'command',
    })
    assert.equal((await settled(task.id)).status, 'completed')
    assert.deepEqual(await outputsOf(task.id), [`served by ${codebase.split('/').pop()}`])
    const exited = new Promise((resolve) => service?.once('exit', resolve))
    service.kill('SIGTERM')
    assert.equal(await exited, 0)
  })

  test('status asks systemd; uninstall disables the unit and removes both files', () => {
    const status = cli(['worker', 'status'])
    assert.equal(status.code, 0, status.out)
    assert.match(status.out, /active \(running\)/)
    const r = cli(['worker', 'uninstall'])
    assert.equal(r.code, 0, r.out)
    assert.equal(existsSync(unitFile), false)
    assert.equal(existsSync(envFile), false)
    assert.match(readFileSync(calls, 'utf8'), /--user disable --now codetether-worker\.service/)
    const gone = cli(['worker', 'status'])
    assert.equal(gone.code, 1)
    assert.match(gone.out, /not installed/)
  })
})
