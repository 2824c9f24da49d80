import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../stack/wrangler'

const CLI = join(ROOT, 'agent-worker/dist/cli.js')

interface Member {
  name: string
  codebase: string
  stateDir: string
  home: string
  child: ChildProcess
  exited: Promise<void>
}

export interface Fleet {
  /** Each worker's codebase directory, in worker order. */
  codebases: string[]
  /** kill -9 one worker (round robin) and start it again on the same state dir. */
  killAndRestart(): Promise<void>
  kills: number
  /** Stops every worker with SIGTERM (a clean shutdown hands running tasks back). */
  stop(): Promise<void>
}

/** `codetether worker` processes, each serving its own codebase through `server`. */
export function startFleet(opts: {
  size: number
  server: string
  token: string
  dir: string
  concurrency: number
}): Fleet {
  const spawnMember = (name: string, codebase: string, stateDir: string, home: string) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'worker',
        '--server',
        opts.server,
        '--codebases',
        codebase,
        '--auto-approve',
        'all',
        '--executor',
        'command',
        '--concurrency',
        String(opts.concurrency),
        '--state-dir',
        stateDir,
        '--name',
        name,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          NO_COLOR: '1',
          CODETETHER_TOKEN: opts.token,
          CODETETHER_CONFIG: '/nonexistent-on-purpose.json',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const log = createWriteStream(join(opts.dir, `${name}.log`), { flags: 'a' })
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    return { name, codebase, stateDir, home, child, exited }
  }

  const members: Member[] = Array.from({ length: opts.size }, (_, i) => {
    const [codebase, stateDir, home] = ['codebase', 'state', 'home'].map((d) =>
      join(opts.dir, `${d}-${i}`),
    ) as [string, string, string]
    for (const d of [codebase, stateDir, home]) mkdirSync(d, { recursive: true })
    return spawnMember(`chaos-${i}`, codebase, stateDir, home)
  })

  let next = 0
  const fleet: Fleet = {
    codebases: members.map((m) => m.codebase),
    kills: 0,
    async killAndRestart() {
      const i = next++ % members.length
      const m = members[i] as Member
      m.child.kill('SIGKILL')
      await m.exited
      fleet.kills++
      members[i] = spawnMember(m.name, m.codebase, m.stateDir, m.home)
    },
    async stop() {
      for (const m of members) m.child.kill('SIGTERM')
      await Promise.all(members.map((m) => m.exited))
    },
  }
  return fleet
}
