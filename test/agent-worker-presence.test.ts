/**
 * What the server knows of a running `codetether worker`: the codebases its task stream is
 * sent tasks of, and the leases its heartbeats hold, also while it stops.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { api, newTenantAdmin, stackVars, startTestWorker } from './helpers'
import {
  createWorkspaceTask,
  getTask,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  until,
  type WorkerProcess,
  workspaceOf,
} from './worker-helpers'

/** A config file of worker settings, for those with no flag. */
function configOf(settings: Record<string, unknown>): string {
  const file = join(tempDir('config'), 'config.json')
  writeFileSync(file, JSON.stringify(settings))
  return file
}

describe('a worker as the server knows it', () => {
  test('a codebase a task registers is sent its tasks at once, and served after a restart', async () => {
    // A tenant of its own: no other suite's worker takes the registration job.
    const { key } = await newTenantAdmin()
    const root = tempDir('routed')
    const sub = join(root, 'sub')
    mkdirSync(sub)
    const args = ['--codebases', root, '--auto-approve', 'all']
    // Polling once in ten minutes: only the push can bring the task within the test.
    const env = { CODETETHER_TOKEN: key, CODETETHER_CONFIG: configOf({ pollSeconds: 600 }) }
    const worker = startWorker(args, { env })
    try {
      await workspaceOf(root, key)
      await until('the stream is up', async () => /task stream connected/.test(worker.output()))
      // The poll of a worker whose stream was not up yet comes 5 s after its first: past it.
      await sleep(6_000)
      const job = await api('/v1/agent/tasks', {
        token: key,
        method: 'POST',
        json: {
          prompt: 'register',
          agent_type: 'register_codebase',
          metadata: { path: sub, name: 'sub' },
        },
      })
      const registered = await settled(((await job.json()) as { id: string }).id, 30_000, key)
      assert.equal(registered.status, 'completed', JSON.stringify(registered))
      const subId = await workspaceOf(sub, key)
      /** A command task of the registered codebase runs on `on` within the test. */
      const runsOn = async (on: WorkerProcess) => {
        const task = await createWorkspaceTask(
          subId,
          { prompt: 'echo routed', agent_type: 'command' },
          undefined,
          key,
        )
        const ran = await settled(task.id, 15_000, key)
        assert.equal(ran.status, 'completed', `${JSON.stringify(ran)}\n${on.output()}`)
      }
      await runsOn(worker)
      assert.equal(await worker.stop(), 0, worker.output())
      // Restarted, it still serves the codebase the task registered.
      const again = startWorker(args, { env, stateDir: worker.stateDir })
      try {
        await runsOn(again)
      } finally {
        await again.stop()
      }
    } finally {
      await worker.stop()
    }
  })

  test('SIGTERM with a grace longer than the lease: the task keeps its lease and finishes once', async () => {
    const server = await startTestWorker('grace-lease', {
      ...stackVars(),
      LEASE_SECONDS: '3',
      REAPER_INTERVAL_SECONDS: '1',
    })
    const codebase = tempDir('grace')
    // Heartbeats every second: what holds a quiet task's lease is the worker's heartbeat.
    const worker = startWorker(
      ['--codebases', codebase, '--auto-approve', 'all', '--grace', '20'],
      {
        server: server.url,
        env: { CODETETHER_CONFIG: configOf({ heartbeatSeconds: 1 }) },
      },
    )
    try {
      const workspace = await workspaceOf(codebase)
      // Quiet for twice the lease after the stop: no output line renews it.
      const task = await createWorkspaceTask(
        workspace,
        { prompt: 'echo going; sleep 6; echo done', agent_type: 'command' },
        server.url,
      )
      await until('it runs', async () => (await outputsOf(task.id)).includes('going'))
      assert.equal(await worker.stop('SIGTERM'), 0, worker.output())
      const after = await getTask(task.id)
      assert.equal(after.status, 'completed', `${JSON.stringify(after)}\n${worker.output()}`)
      assert.deepEqual(await outputsOf(task.id), ['going', 'done'])
    } finally {
      await worker.stop()
      await server.worker.stop()
    }
  })
})
