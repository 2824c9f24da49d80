/**
 * A short `npm run chaos`: real `codetether worker` processes kill -9'ed on a timer, forced
 * drops of task and worker streams, the server's dev process restarted halfway; nothing may
 * be lost or doubled.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { runChaos } from '../scripts/chaos/run'
import { MUST_BE_ZERO } from '../scripts/chaos/verify'
import { startWrangler } from '../scripts/stack/wrangler'
import { stack, stackVars, startTestWorker, testDir } from './helpers'

test('killed workers, dropped streams and a server restart lose and double nothing', async () => {
  // Its own Worker, so restarting it leaves the other suites' server alone; a short reaper
  // interval keeps the wait for a dead worker's lease short.
  const started = await startTestWorker('chaos', { ...stackVars(), REAPER_INTERVAL_SECONDS: '5' })
  let server = started.worker
  const tasks = 60
  // What the run said as it went, kept for the failure message (its directory is not).
  const said: string[] = []
  try {
    const report = await runChaos({
      url: started.url,
      token: stack().devToken,
      databaseUrl: stack().databaseUrl,
      tenantId: stack().tenantId,
      restartServer: async () => {
        await server.stop()
        server = await startWrangler(started.options)
      },
      dir: join(testDir(), 'chaos', 'run'),
      tasks,
      workers: 3,
      // Each worker dies every 9 s. At one kill per 1.5 s, on a loaded machine, a restarted
      // worker was often killed again before it handed its task back; the lease then expired,
      // and a task whose lease expires on its third attempt fails by design (max_attempts).
      killEveryMs: 3000,
      disconnects: 20,
      deadlineMs: 5 * 60_000,
      log: (msg) => said.push(`${new Date().toISOString()} ${msg}`),
    })
    const story = `${JSON.stringify(report, null, 1)}\n${said.join('\n')}`
    for (const k of MUST_BE_ZERO) assert.equal(report[k], 0, `${k}: ${story}`)
    assert.equal(report.completed, tasks)
    assert.equal(report.serverRestarts, 1)
    // The chaos really happened.
    assert.ok(report.kills >= 3, `kills: ${report.kills}`)
    assert.ok(report.taskStreamCuts > 0 && report.workerStreamCuts > 0, JSON.stringify(report))
    assert.ok(report.watched >= tasks / 4 && report.outputLines >= tasks * 6)
  } finally {
    await server.stop()
  }
})
