/**
 * `npm run chaos`: a private stack, 1,000 tasks across 4 real workers, one worker kill -9'ed
 * every 2 s, the server restarted once, 100 forced SSE drops; prints what was lost or doubled
 * (all must be 0) and writes bench/results/chaos.json. Flags: --tasks=N --workers=N
 * --kill-every=MS --disconnects=N. Exits 1 when any must-be-zero figure is not.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ChaosReport, runChaos } from './chaos/run'
import { MUST_BE_ZERO } from './chaos/verify'
import { buildPackages } from './stack/build'
import { startTempStack } from './stack/index'
import { ROOT } from './stack/wrangler'

const log = (msg: string) => console.error(`[chaos] ${msg}`)

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  const value = arg ? Number(arg.split('=')[1]) : fallback
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`)
  return value
}

export function printReport(r: ChaosReport): void {
  const rows: [string, string | number][] = [
    ['tasks created', r.tasks],
    ['tasks completed', r.completed],
    ['tasks lost', r.lost],
    ['tasks completed more than once', r.completedTwice],
    ['output lines stored', r.outputLines],
    ['output lines missing', r.linesMissing],
    ['output lines duplicated', r.linesDuplicated],
    ['attempts with lines out of order', r.linesOutOfOrder],
    ['SSE drops (task streams / worker streams)', `${r.taskStreamCuts} / ${r.workerStreamCuts}`],
    ['followed task streams / their reconnects', `${r.watched} / ${r.streamReconnects}`],
    ['stream events missed', r.eventsMissed],
    ['stream events duplicated', r.eventsDuplicated],
    ['workers kill -9ed and restarted', r.kills],
    ['server restarts', r.serverRestarts],
    ['tasks that needed another attempt', r.retriedTasks],
    ['lines of cut-short attempts (kept, by attempt)', r.abandonedAttemptLines],
    ['commands that ran to their end twice', r.ranTwice],
    ['seconds', r.seconds],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`)
  for (const line of r.unfinished) console.log(`not completed: ${line}`)
}

async function main(): Promise<number> {
  const tasks = flag('tasks', 1000)
  buildPackages()
  const { stack, dir, dispose } = await startTempStack('chaos', log)
  process.once('SIGINT', () => void dispose().then(() => process.exit(130)))
  let failed = false
  try {
    const report = await runChaos({
      url: stack.info.url,
      token: stack.info.devToken,
      databaseUrl: stack.info.databaseUrl,
      tenantId: stack.info.tenantId,
      restartServer: () => stack.restartWorker(),
      dir: join(dir, 'chaos'),
      tasks,
      workers: flag('workers', 4),
      killEveryMs: flag('kill-every', 2000),
      disconnects: flag('disconnects', 100),
      log,
    })
    printReport(report)
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    writeFileSync(join(ROOT, 'bench/results/chaos.json'), JSON.stringify(report, null, 2))
    const bad = MUST_BE_ZERO.filter((k) => report[k] !== 0)
    if (bad.length) log(`FAILED: ${bad.map((k) => `${k}=${report[k]}`).join(', ')}`)
    if (bad.length) failed = true
    return bad.length ? 1 : 0
  } catch (err) {
    failed = true
    throw err
  } finally {
    // A failed run keeps its workers' logs for a look.
    if (failed) {
      await stack.stop()
      log(`logs kept in ${dir}`)
    } else await dispose()
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`[chaos] ${err.stack ?? err.message}`)
    process.exit(1)
  },
)
