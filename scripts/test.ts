/**
 * `npm test`: starts a private stack (Postgres, Redis, the Worker in workerd) on free ports in
 * a temp dir, runs every suite in test/ against it with node's test runner, and tears it all
 * down, also when a test fails or the run is interrupted. `npm test -- test/x.test.ts` runs one.
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildPackages } from './stack/build'
import { startTempStack } from './stack/index'
import { BWRAP_PACKAGE, ensurePackages } from './stack/packages'
import { logTail } from './stack/proc'
import { ROOT } from './stack/wrangler'

const log = (msg: string) => console.error(`[test] ${msg}`)

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const files = args.length
    ? args
    : readdirSync(join(ROOT, 'test'))
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join('test', f))
  const started = Date.now()
  // The worker suites run the agent worker's CLI as built: build it from the sources first.
  buildPackages()
  // Its sandbox: the attack suites run commands inside bubblewrap (`npm start` does not need it).
  ensurePackages([BWRAP_PACKAGE], log)
  const { stack, dir, dispose } = await startTempStack('test', log)
  log(`stack ready in ${Date.now() - started} ms at ${stack.info.url}`)

  process.once('SIGINT', () => void dispose().then(() => process.exit(130)))
  process.once('SIGTERM', () => void dispose().then(() => process.exit(143)))

  const code = await new Promise<number>((resolve) => {
    const run = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        // One file at a time: the suite is CPU-bound on two cores (two at once took longer,
        // 602 s against 520 s), and its timing-sensitive tests (limits, chaos) fail under load.
        '--test-concurrency=1',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        // Each file's wall time, slowest first, at the end: where the minutes go.
        `--test-reporter=${join(ROOT, 'scripts/test-times.mjs')}`,
        '--test-reporter-destination=stdout',
        ...files,
      ],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: {
          ...process.env,
          CODETETHER_STACK: join(dir, 'stack.json'),
          CODETETHER_TEST_DIR: dir,
        },
      },
    )
    run.once('exit', (c) => resolve(c ?? 1))
  })
  if (code !== 0) {
    log(`tests failed; last lines of the Worker's log:\n${logTail(join(dir, 'worker.log'), 40)}`)
  }
  await dispose()
  return code
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`[test] ${err.stack ?? err.message}`)
    process.exit(1)
  },
)
