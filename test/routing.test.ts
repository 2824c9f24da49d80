/**
 * Routing that honours names (issue 24): a task that names an agent (target_agent_name) goes
 * only to a worker that has it, a coding CLI it registered or its own name, unless its
 * metadata says `fallback: "any"`; one that names an agent nobody has waits and says why.
 */
import assert from 'node:assert/strict'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { rpc, v10Message } from './a2a-helpers'
import { api } from './helpers'
import { claim, createTask, register, uid } from './queue-helpers'
import {
  FAKE_BIN,
  getTask,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  until,
  type WorkerProcess,
} from './worker-helpers'

/** A worker's pending list as it polls it (upstream's fallback to the task stream). */
async function pendingFor(worker: string) {
  const res = await api('/v1/agent/tasks?status=pending&limit=500', {
    headers: { 'X-Worker-ID': worker },
  })
  return ((await res.json()) as { id: string }[]).map((t) => t.id)
}

const waitingOf = async (id: string) =>
  ((await (await api(`/v1/agent/tasks/${id}`)).json()) as { waiting_for: string | null })
    .waiting_for

const cancel = (id: string) => api(`/v1/agent/tasks/${id}/cancel`, { method: 'POST' })

describe('routing by agent name, simulated workers', () => {
  test('only a worker with the agent may list or claim the task; the rest get 409', async () => {
    const agent = `agent-${uid()}`
    const has = await register([], [], [agent])
    const lacks = await register([], [], ['claude'])
    const task = await createTask({ target_agent_name: agent })
    assert.ok(!(await pendingFor(lacks)).includes(task.id))
    assert.equal((await claim(lacks, task.id)).status, 409)
    assert.ok((await pendingFor(has)).includes(task.id))
    assert.equal((await claim(has, task.id)).status, 200)
  })

  test("upstream's forms count: an agent definition with that name, a worker of that name", async () => {
    const agent = `agent-${uid()}`
    const upstream = await register([], [], [{ name: agent, description: 'a coding agent' }])
    const first = await createTask({ target_agent_name: agent })
    assert.equal((await claim(upstream, first.id)).status, 200)
    // register() names each worker after its id.
    const named = await register()
    const other = await register()
    const second = await createTask({ target_agent_name: named })
    assert.equal((await claim(other, second.id)).status, 409)
    assert.equal((await claim(named, second.id)).status, 200)
  })

  test('a task naming an agent nobody has waits and says why; fallback "any" lets anyone take it', async () => {
    const nobody = `nobody-${uid()}`
    const anyone = await register()
    const waits = await createTask({ target_agent_name: nobody })
    assert.match(
      (await waitingOf(waits.id)) ?? '',
      new RegExp(`No online worker has agent ${nobody}`),
    )
    assert.equal((await claim(anyone, waits.id)).status, 409)
    await cancel(waits.id)

    const falls = await createTask({ target_agent_name: nobody, metadata: { fallback: 'any' } })
    assert.equal(await waitingOf(falls.id), null)
    assert.ok((await pendingFor(anyone)).includes(falls.id))
    assert.equal((await claim(anyone, falls.id)).status, 200)
    assert.equal(await waitingOf(falls.id), null, 'a claimed task waits for nobody')
  })

  test('A2A: the fleet skill agent:<name> routes by name, its metadata may fall back', async () => {
    const nobody = `nobody-${uid()}`
    const anyone = await register()
    const send = async (metadata: Record<string, unknown>) => {
      const params = {
        message: v10Message({}, 'review this'),
        configuration: { returnImmediately: true },
        metadata,
      }
      const { body } = await rpc('SendMessage', params, { 'A2A-Version': '1.0' })
      return (body as { result: { task: { id: string } } }).result.task.id
    }
    const strict = await send({ skill: `agent:${nobody}` })
    assert.equal((await getTask(strict)).metadata.fallback, undefined)
    assert.equal((await claim(anyone, strict)).status, 409)
    await cancel(strict)
    const loose = await send({ skill: `agent:${nobody}`, fallback: 'any' })
    assert.equal((await getTask(loose)).metadata.fallback, 'any')
    assert.equal((await claim(anyone, loose)).status, 200)
  })
})

/** A directory of fake coding CLIs holding only `names`: what a worker with PATH on it detects. */
function binWith(...names: string[]) {
  const dir = tempDir('bin')
  for (const n of names) symlinkSync(join(FAKE_BIN, n), join(dir, n))
  return dir
}

/** The id a running worker registered under `name`, once it is online. */
const workerIdOf = (name: string) =>
  until(`worker ${name} registered`, async () => {
    const res = await api('/v1/agent/workers?online_only=true')
    const rows = (await res.json()) as { worker_id: string; name: string }[]
    return rows.find((w) => w.name === name)?.worker_id
  })

describe('routing by agent name, real workers', () => {
  test('codex runs on the worker with codex, with codex; an agent nobody has waits; fallback runs it', async () => {
    const run = uid()
    const start = (name: string, bin: string) =>
      startWorker(['--codebases', tempDir('cb'), '--auto-approve', 'all'], {
        name,
        env: { PATH: `${bin}:${process.env.PATH}` },
      })
    // Both prefer claude when a task names nothing, so only the name makes codex run.
    const workers: WorkerProcess[] = [
      start(`claude-only-${run}`, binWith('claude')),
      start(`claude-codex-${run}`, binWith('claude', 'codex')),
    ]
    try {
      await workerIdOf(`claude-only-${run}`)
      const both = await workerIdOf(`claude-codex-${run}`)

      const forCodex = await createTask({ prompt: 'hello codex', target_agent_name: 'codex' })
      const done = await settled(forCodex.id)
      assert.equal(done.status, 'completed', JSON.stringify(done))
      assert.equal(done.worker_id, both)
      const first = JSON.parse((await outputsOf(forCodex.id))[0] as string) as { type: string }
      assert.equal(first.type, 'thread.started', 'codex printed its thread events')

      const nobody = `nobody-${run}`
      const waits = await createTask({ prompt: 'anyone?', target_agent_name: nobody })
      // A task created after it runs at once: the workers are taking work, just not that one.
      const control = await createTask({ prompt: 'plain work' })
      assert.equal((await settled(control.id)).status, 'completed')
      assert.equal((await getTask(waits.id)).status, 'pending')
      assert.match((await waitingOf(waits.id)) ?? '', /No online worker has agent nobody-/)
      await cancel(waits.id)

      const falls = await createTask({
        prompt: 'anyone will do',
        target_agent_name: nobody,
        metadata: { fallback: 'any' },
      })
      const fell = await settled(falls.id)
      assert.equal(fell.status, 'completed', JSON.stringify(fell))
    } finally {
      for (const w of workers) assert.equal(await w.stop(), 0, w.output())
    }
  })
})
