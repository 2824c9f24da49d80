/**
 * Agent-worker figures: a task pushed to the worker → its executor process running, an output line printed
 * by that process → an SSE subscriber of the task, the idle worker's RSS, and `--help` start
 * time; each beside its floor (spawning the same process from Node, the server alone taking
 * the same line from a simulated worker, an empty Node start).
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../scripts/stack/wrangler'
import { type Figure, latencyFigure } from './lib'
import { openStream } from './stream'

const CLI = join(ROOT, 'agent-worker/dist/cli.js')
/** Wall-clock now in ms with sub-ms precision, comparable with `date +%s.%N`. */
const wallNow = () => performance.timeOrigin + performance.now()
const STAMP = 'date +%s.%N'
const stampMs = (line: string) => Number(line.trim()) * 1000

async function api(base: string, auth: Record<string, string>, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  // biome-ignore lint/suspicious/noExplicitAny: bench replies are read by field
  return res.json() as Promise<any>
}

export async function workerFigures(
  base: string,
  auth: Record<string, string>,
  token: string,
  rounds: number,
): Promise<Figure[]> {
  const figures: Figure[] = []
  const codebase = mkdtempSync(join(tmpdir(), 'bench-codebase-'))
  const child = spawn(
    process.execPath,
    [
      CLI,
      'worker',
      '--server',
      base,
      '--codebases',
      codebase,
      '--auto-approve',
      'all',
      '--state-dir',
      mkdtempSync(join(tmpdir(), 'bench-state-')),
      '--name',
      'bench-worker',
      '-q',
    ],
    { env: { ...process.env, CODETETHER_TOKEN: token }, stdio: 'ignore' },
  )
  try {
    let workspace: string | undefined
    for (let i = 0; i < 200 && !workspace; i++) {
      const rows = await api(base, auth, `/v1/agent/codebases?path=${encodeURIComponent(codebase)}`)
      workspace = rows.find((r: { worker_id: string | null }) => r.worker_id)?.id
      if (!workspace) await new Promise((r) => setTimeout(r, 100))
    }
    if (!workspace) throw new Error('the bench worker did not register its codebase')
    await new Promise((r) => setTimeout(r, 1500)) // stream connected, startup settled
    const rss =
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024

    // Pushed → the executor's process running: an observer on the same codebase sees the
    // push when the worker does; the task's first line is the time its process ran `date`.
    const observer = await openStream(`${base}/v1/worker/tasks/stream`, undefined, {
      ...auth,
      'X-Worker-ID': 'bench-observer',
      'X-Codebases': workspace,
    })
    await observer.firstAt
    const started: number[] = []
    const spawnFloor: number[] = []
    for (let i = 0; i < rounds; i++) {
      const marker = crypto.randomUUID()
      const pushed = observer.waitFor(marker)
      const task = await api(base, auth, `/v1/agent/codebases/${workspace}/tasks`, {
        prompt: `${STAMP} # ${marker}`,
        agent_type: 'command',
      })
      const pushedAt = performance.timeOrigin + (await pushed)
      // The line carries the time the process ran; polling for it adds nothing to the figure.
      const ranAt = await new Promise<number>((resolve) => {
        const poll = async () => {
          const out = await api(base, auth, `/v1/agent/tasks/${task.id}/output`)
          if (out.outputs.length) resolve(stampMs(out.outputs[0].output))
          else setTimeout(poll, 20)
        }
        void poll()
      })
      started.push(ranAt - pushedAt)
      const s0 = wallNow()
      const line = execFileSync('/bin/sh', ['-c', STAMP], { encoding: 'utf8' })
      spawnFloor.push(stampMs(line) - s0)
    }
    observer.close()
    const floorName = 'floor: node spawns sh -c date'
    figures.push(latencyFigure(floorName, spawnFloor))
    figures.push(
      latencyFigure('worker: task pushed → executor process running', started, { vs: floorName }),
    )

    // An output line printed → an SSE subscriber has it, through the worker and the server.
    const lines = rounds
    const task = await api(base, auth, `/v1/agent/codebases/${workspace}/tasks`, {
      prompt: `for i in $(seq 1 ${lines}); do ${STAMP}; sleep 0.05; done`,
      agent_type: 'command',
    })
    const latencies: number[] = []
    let allArrived: () => void = () => {}
    const arrived = new Promise<void>((r) => (allArrived = r))
    const stream = await openStream(
      `${base}/v1/agent/tasks/${task.id}/output/stream`,
      undefined,
      auth,
      (e, at) => {
        if (e.event === 'done') allArrived()
        if (e.event !== 'output') return
        latencies.push(performance.timeOrigin + at - stampMs(JSON.parse(e.data).output))
        if (latencies.length === lines) allArrived()
      },
    )
    await arrived
    stream.close()
    figures.push(latencyFigure('worker: output line printed → SSE subscriber', latencies))
    figures.push(latencyFigure('worker: idle RSS', [rss], { unit: 'MB' }))
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }

  const startup = (args: string[]) => {
    const times: number[] = []
    for (let i = 0; i < Math.max(10, Math.min(rounds, 30)); i++) {
      const t0 = performance.now()
      execFileSync(process.execPath, args, { stdio: 'ignore' })
      times.push(performance.now() - t0)
    }
    return times
  }
  figures.push(latencyFigure('floor: node -e ""', startup(['-e', ''])))
  figures.push(
    latencyFigure('codetether --help', startup([CLI, '--help']), { vs: 'floor: node -e ""' }),
  )
  return figures
}
