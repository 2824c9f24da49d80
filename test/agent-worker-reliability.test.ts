/**
 * The agent worker when things go wrong: a server that goes away, a killed worker, cancel,
 * shutdown, output longer than the server takes.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../scripts/stack/ports'
import { startWrangler } from '../scripts/stack/wrangler'
import {
  api,
  asTenant,
  connectAsApp,
  newTenantAdmin,
  stack,
  stackVars,
  startTestWorker,
} from './helpers'
import {
  createWorkspaceTask,
  getTask,
  outputsOf,
  running,
  settled,
  startWorker,
  tempDir,
  until,
  workspaceOf,
} from './worker-helpers'

const commandTask = (workspace: string, command: string, server?: string) =>
  createWorkspaceTask(workspace, { prompt: command, agent_type: 'command' }, server)

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`)

describe('the agent worker under failure', () => {
  test('the server goes down and comes back mid-task: every output line arrives once, in order', async () => {
    const server = await startTestWorker('worker-outage', stackVars())
    let wrangler = server.worker
    const codebase = tempDir('outage')
    const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
      server: server.url,
    })
    try {
      const workspace = await workspaceOf(codebase)
      const task = await commandTask(
        workspace,
        'for i in $(seq 1 30); do echo "line $i"; sleep 0.25; done',
        server.url,
      )
      await until('some output', async () => (await outputsOf(task.id)).length >= 3)
      await wrangler.stop()
      // Down long enough for the worker's sends and reconnects to fail more than once (the
      // restart itself adds seconds more); the command prints a line every 0.25 s meanwhile.
      await sleep(2_000)
      wrangler = await startWrangler(server.options)
      const done = await settled(task.id, 60_000)
      assert.equal(done.status, 'completed', JSON.stringify(done))
      assert.deepEqual(await outputsOf(task.id), lines(30))
    } finally {
      assert.equal(await worker.stop(), 0, worker.output())
      await wrangler.stop()
    }
  })

  test('kill -9 mid-task, restart: the orphan is stopped and the task completes exactly once', async () => {
    const codebase = tempDir('crash')
    const args = ['--codebases', codebase, '--auto-approve', 'all']
    const first = startWorker(args, { name: 'crashy' })
    const workspace = await workspaceOf(codebase)
    const task = await commandTask(
      workspace,
      'echo started >> runs.txt; for i in $(seq 1 6); do echo "step $i"; sleep 0.5; done; echo finished >> runs.txt',
    )
    await until('the first run', async () => (await outputsOf(task.id)).length >= 1)
    first.child.kill('SIGKILL')
    await first.stop()
    const second = startWorker(args, { name: 'crashy', stateDir: first.stateDir })
    try {
      const done = await settled(task.id, 60_000)
      assert.equal(done.status, 'completed', JSON.stringify(done))
      // A surviving first run started before the second and takes as long, so it would
      // have written "finished" by now; the margin covers a slow scheduler.
      await sleep(1000)
      const runs = readFileSync(join(codebase, 'runs.txt'), 'utf8').trim().split('\n')
      assert.deepEqual(
        runs,
        ['started', 'started', 'finished'],
        'one run was stopped, one finished',
      )
      const row = await (await api(`/v1/agent/tasks/${task.id}`)).json()
      assert.equal(row.status, 'completed')
      assert.match(second.output(), /recovered after a restart/)
    } finally {
      assert.equal(await second.stop(), 0, second.output())
    }
  })

  test('SIGTERM while a crashed run is recovered and the server is away: it stops, the journal kept', async () => {
    const codebase = tempDir('away')
    const args = ['--codebases', codebase, '--auto-approve', 'all']
    const first = startWorker(args, { name: 'away' })
    const task = await commandTask(await workspaceOf(codebase), 'echo one; sleep 30')
    await until('it runs', async () => (await outputsOf(task.id)).includes('one'))
    first.child.kill('SIGKILL')
    await first.stop()
    const away = `http://127.0.0.1:${await freePort()}`
    const second = startWorker(args, { name: 'away', stateDir: first.stateDir, server: away })
    await until('it starts', async () => /→ http/.test(second.output()))
    await sleep(1000) // delivering the crashed run's journal, to nobody
    const code = await Promise.race([second.stop('SIGTERM'), sleep(20_000).then(() => 'hung')])
    if (code === 'hung') second.child.kill('SIGKILL') // not left behind to hold up the suite
    assert.equal(code, 0, second.output())
    assert.equal(readdirSync(join(first.stateDir, 'tasks')).length, 1, 'the journal is kept')
    const third = startWorker(args, { name: 'away', stateDir: first.stateDir })
    try {
      await until('recovered', async () => /recovered after a restart/.test(third.output()))
    } finally {
      await api(`/v1/agent/tasks/${task.id}/cancel`, { method: 'POST' })
      await third.stop()
    }
  })

  test('a claim answered to a killed worker goes back at its restart, the attempt unspent', async () => {
    const codebase = tempDir('handback')
    const args = ['--codebases', codebase, '--auto-approve', 'all']
    const first = startWorker(args, { name: 'handback' })
    const workspace = await workspaceOf(codebase)
    const owner = (await (await api(`/v1/agent/workspaces/${workspace}`)).json()).worker_id
    first.child.kill('SIGKILL')
    await first.stop()
    // What a claim (or a report's claim_next) in flight at the kill leaves: the server has the
    // task running on the worker, the worker never knew.
    const task = await commandTask(workspace, 'echo ran >> runs.txt')
    const claim = await api('/v1/worker/tasks/claim', {
      method: 'POST',
      headers: { 'X-Worker-ID': owner },
      json: { task_id: task.id },
    })
    assert.equal(claim.status, 200, await claim.text())
    const db = await connectAsApp()
    const attemptOf = () =>
      asTenant(db, stack().tenantId, async () => {
        const { rows } = await db.query('select attempt from tasks where id = $1', [task.id])
        return rows[0]?.attempt
      })
    let second: ReturnType<typeof startWorker> | undefined
    try {
      assert.equal(await attemptOf(), 1)
      second = startWorker(args, { name: 'handback', stateDir: first.stateDir })
      // Well inside the 60 s lease the task would otherwise wait out.
      const done = await settled(task.id, 20_000)
      assert.equal(done.status, 'completed', JSON.stringify(done))
      assert.equal(await attemptOf(), 1, 'the claim that never ran spent no attempt')
      assert.equal(readFileSync(join(codebase, 'runs.txt'), 'utf8'), 'ran\n')
      assert.match(second.output(), /never started; handed back/)
    } finally {
      await db.end()
      if (second) assert.equal(await second.stop(), 0, second.output())
    }
  })

  test('two workers with different codebases only get their own tasks', async () => {
    const [a, b] = [tempDir('mine'), tempDir('theirs')]
    const wa = startWorker(['--codebases', a, '--auto-approve', 'all'], { name: 'worker-a' })
    const wb = startWorker(['--codebases', b, '--auto-approve', 'all'], { name: 'worker-b' })
    try {
      const [sa, sb] = [await workspaceOf(a), await workspaceOf(b)]
      const tasks = []
      for (let i = 0; i < 3; i++) {
        tasks.push({ dir: a, task: await commandTask(sa, 'pwd') })
        tasks.push({ dir: b, task: await commandTask(sb, 'pwd') })
      }
      const owners = new Map<string, string | null>()
      for (const { dir, task } of tasks) {
        const done = await settled(task.id)
        assert.equal(done.status, 'completed')
        assert.equal(done.result, dir, 'ran in its own codebase')
        owners.set(dir, owners.get(dir) ?? done.worker_id)
        assert.equal(done.worker_id, owners.get(dir))
      }
      assert.notEqual(owners.get(a), owners.get(b))

      // Neither has an LLM or a coding CLI: a task that needs one is left for a worker that has.
      const res = await api('/v1/agent/tasks', { method: 'POST', json: { prompt: 'Refactor it' } })
      const global = (await res.json()) as { id: string }
      await sleep(1500)
      assert.equal((await getTask(global.id)).status, 'pending')
      await api(`/v1/agent/tasks/${global.id}/cancel`, { method: 'POST' })
    } finally {
      assert.equal(await wa.stop(), 0)
      assert.equal(await wb.stop(), 0)
    }
  })

  test('a cancelled task is stopped on the worker; SIGTERM hands a running task back', async () => {
    const codebase = tempDir('cancel')
    const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all', '--grace', '1'])
    const workspace = await workspaceOf(codebase)
    // A sleep no other process runs, so the test can see when it is gone.
    const nap = `${5 + Math.random()}`.slice(0, 8)
    const slow = `echo going; sleep ${nap}; touch finished.txt`
    const task = await commandTask(workspace, slow)
    await until('it runs', async () => (await outputsOf(task.id)).includes('going'))
    assert.equal((await api(`/v1/agent/tasks/${task.id}/cancel`, { method: 'POST' })).status, 200)
    await until('the worker stops it', async () => /cancelled by the server/.test(worker.output()))
    await until('the command is gone', async () => !running(['sleep', nap]))
    await sleep(200) // had the shell survived its sleep, it would touch the file now
    assert.ok(!existsSync(join(codebase, 'finished.txt')), 'the command was killed')
    assert.equal((await getTask(task.id)).status, 'cancelled')

    const second = await commandTask(workspace, slow)
    await until('it runs', async () => (await outputsOf(second.id)).includes('going'))
    assert.equal(await worker.stop('SIGTERM'), 0, worker.output())
    const back = await getTask(second.id)
    assert.equal(back.status, 'pending', 'handed back to the queue')
    assert.equal(back.worker_id, null)
    await api(`/v1/agent/tasks/${second.id}/cancel`, { method: 'POST' })
  })

  test('a 200 KB line arrives as several lines, nothing lost', async () => {
    const codebase = tempDir('long-line')
    const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
      name: 'long-line',
    })
    try {
      const workspace = await workspaceOf(codebase)
      // Over the server's 128 KiB a line: whole, it would be refused.
      const task = await commandTask(
        workspace,
        "echo before; head -c 200000 /dev/zero | tr '\\0' x; echo; echo after",
      )
      const done = await settled(task.id)
      assert.equal(done.status, 'completed', JSON.stringify(done))
      const lines = await outputsOf(task.id)
      assert.equal(lines[0], 'before')
      assert.equal(lines.at(-1), 'after')
      const pieces = lines.slice(1, -1)
      assert.deepEqual(
        pieces.map((p) => p.length),
        [32768, 32768, 32768, 32768, 32768, 32768, 200000 - 6 * 32768],
      )
      assert.equal(pieces.join(''), 'x'.repeat(200000))
      assert.doesNotMatch(worker.output(), /refused/)
    } finally {
      assert.equal(await worker.stop(), 0, worker.output())
    }
  })

  test("output past the task's limit is dropped with one warning; the outcome still arrives", async () => {
    const { key } = await newTenantAdmin()
    const limits = await api('/v1/limits', {
      method: 'PUT',
      token: key,
      json: { task_output_bytes: 3000 },
    })
    assert.equal(limits.status, 200)
    const codebase = tempDir('full-output')
    const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
      name: 'full-output',
      env: { CODETETHER_TOKEN: key },
    })
    try {
      const workspace = await workspaceOf(codebase, key)
      const line = (i: number) => `line ${String(i).padStart(3, '0')} ${'.'.repeat(40)}`
      const task = await createWorkspaceTask(
        workspace,
        {
          prompt: `for i in $(seq -w 1 300); do echo "line $i ${'.'.repeat(40)}"; done; echo ok > done.txt`,
          agent_type: 'command',
        },
        undefined,
        key,
      )
      const done = await settled(task.id, 30_000, key)
      assert.equal(done.status, 'completed', JSON.stringify(done))
      assert.ok(existsSync(join(codebase, 'done.txt')), 'the command ran to its end')
      const stored = await outputsOf(task.id, key)
      const bytes = stored.reduce((n, l) => n + l.length, 0)
      assert.ok(stored.length > 0 && bytes <= 3000, `${stored.length} lines, ${bytes} bytes`)
      assert.ok(bytes > 3000 - line(1).length, 'filled up to the limit')
      assert.deepEqual(
        stored,
        stored.map((_, i) => line(i + 1)),
        'a prefix of the output, in order',
      )
      const warnings = worker.output().match(/output limit reached/g) ?? []
      assert.equal(warnings.length, 1, worker.output())
    } finally {
      assert.equal(await worker.stop(), 0, worker.output())
    }
  })
})
