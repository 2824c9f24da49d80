import { mkdirSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { startFleet } from './fleet'
import { createTask, steadyFetch, type Watched, watchTask } from './load'
import { startChaosProxy } from './proxy'
import { connectAsTenant, type Verdict, verify } from './verify'

export interface ChaosOptions {
  /** The server under test (its port is what the proxy forwards to). */
  url: string
  token: string
  /** The app role's URL and the tenant the token acts for: progress and checks read as it. */
  databaseUrl: string
  tenantId: string
  /** Restarts the server's dev process, as a deploy or a crash would. */
  restartServer(): Promise<void>
  dir: string
  tasks: number
  workers: number
  killEveryMs: number
  /** Forced drops of SSE connections, half task output streams, half worker task streams. */
  disconnects: number
  log(msg: string): void
  deadlineMs?: number
}

export interface ChaosReport extends Verdict {
  seconds: number
  kills: number
  serverRestarts: number
  taskStreamCuts: number
  workerStreamCuts: number
}

/**
 * The chaos run: tasks flow to a fleet of real workers through a proxy that drops their
 * streams, one worker is kill -9'ed on a timer, the server restarts once halfway; then every
 * task, completion and output line is checked against what it should be.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now()
  const stopAt = started + (o.deadlineMs ?? 15 * 60_000)
  mkdirSync(o.dir, { recursive: true })
  const proxy = await startChaosProxy(Number(new URL(o.url).port))
  const fleet = startFleet({
    size: o.workers,
    server: proxy.url,
    token: o.token,
    dir: o.dir,
    concurrency: 2,
  })
  const db = await connectAsTenant(o.databaseUrl, o.tenantId)
  const tasks: { id: string; k: number; codebase: string }[] = []
  const watches: Promise<Watched>[] = []
  let serverRestarts = 0
  let finished = false
  const background: Promise<unknown>[] = []

  try {
    const workspaces = await Promise.all(fleet.codebases.map((c) => workspaceOf(o, proxy.url, c)))
    o.log(`${o.workers} workers registered; creating ${o.tasks} tasks`)

    // kill -9 one worker every killEveryMs, until the last task is done.
    background.push(
      (async () => {
        while (!finished && o.killEveryMs > 0) {
          await sleep(o.killEveryMs)
          if (!finished) await fleet.killAndRestart()
        }
      })(),
    )
    // Forced SSE drops, spread over the expected run, alternating task and worker streams.
    background.push(
      (async () => {
        const spacing = Math.max(100, (o.tasks * 40) / Math.max(1, o.disconnects))
        let i = 0
        while (!finished && i < o.disconnects) {
          await sleep(spacing)
          if (proxy.cut(i % 2 === 0 ? 'task' : 'worker')) i++
        }
      })(),
    )

    let done = 0
    const window = o.workers * 6
    for (let k = 0; k < o.tasks; k++) {
      while (k - done >= window && Date.now() < stopAt) {
        await sleep(100)
        done = await finishedCount(db, tasks)
      }
      const w = k % workspaces.length
      const id = await createTask(proxy.url, o.token, workspaces[w] as string, k)
      tasks.push({ id, k, codebase: fleet.codebases[w] as string })
      if (k % 100 === 99) o.log(`${k + 1} tasks created, ${done} finished`)
      // Every fourth task is followed live by a client that must not miss a line.
      if (k % 4 === 0) watches.push(watchTask(proxy.url, o.token, id, stopAt))
      if (k === Math.floor(o.tasks / 2)) {
        o.log(`task ${k}: restarting the server`)
        background.push(o.restartServer().then(() => serverRestarts++))
      }
    }
    for (let tick = 1; done < tasks.length && Date.now() < stopAt; tick++) {
      await sleep(250)
      done = await finishedCount(db, tasks)
      if (tick % 40 === 0) o.log(`${done} of ${tasks.length} finished; ${await waiting(db, tasks)}`)
    }
    finished = true
    await Promise.all(background)
    const watched = await Promise.all(watches)
    const verdict = await verify({
      databaseUrl: o.databaseUrl,
      tenantId: o.tenantId,
      tasks,
      codebases: fleet.codebases,
      watched,
    })
    return {
      ...verdict,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      kills: fleet.kills,
      serverRestarts,
      taskStreamCuts: proxy.cuts.task,
      workerStreamCuts: proxy.cuts.worker,
    }
  } finally {
    finished = true
    await Promise.allSettled(background)
    await fleet.stop()
    await proxy.close()
    await db.end()
  }
}

/**
 * Tasks in a final state: completed, or failed, cancelled or rejected, which will not
 * change again. A task that ran out of attempts ends the wait at once and is reported lost,
 * with its error, instead of keeping the run waiting for its deadline.
 */
async function finishedCount(db: pg.Client, tasks: { id: string }[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    // A final state is the only one that stamps completed_at (app.task_change).
    `select count(*)::int as n from tasks where id = any($1) and completed_at is not null`,
    [tasks.map((t) => t.id)],
  )
  return rows[0]?.n ?? 0
}

/** The tasks not completed yet, by state and attempt: what a stalled run is waiting for. */
async function waiting(db: pg.Client, tasks: { id: string }[]): Promise<string> {
  const { rows } = await db.query<{
    id: string
    status: string
    attempt: number
    worker_id: string
  }>(
    `select id, status, attempt, worker_id from tasks where id = any($1) and status <> 'completed' limit 5`,
    [tasks.map((t) => t.id)],
  )
  return rows.map((r) => `${r.id} ${r.status} attempt ${r.attempt} ${r.worker_id ?? ''}`).join(', ')
}

/** The workspace a worker registered for its codebase (it owns it: worker_id is set). */
async function workspaceOf(o: ChaosOptions, server: string, path: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const res = await steadyFetch(`${server}/v1/agent/codebases?path=${encodeURIComponent(path)}`, {
      headers: { authorization: `Bearer ${o.token}` },
    })
    const rows = (await res.json()) as { id: string; worker_id: string | null }[]
    const owned = rows.find((r) => r.worker_id)
    if (owned) return owned.id
    await sleep(100)
  }
  throw new Error(`no worker registered ${path}`)
}
