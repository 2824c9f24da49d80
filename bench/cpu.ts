/**
 * CPU time by program (workerd, node, postgres, redis-server…) over a measurement, read from
 * /proc: on 2 shared cores the question is rarely "how long" but "who spent the time". The
 * bench's own node process also serves the local Neon and Upstash endpoints, so its share
 * includes theirs. Empty where /proc is missing.
 */
import { readdirSync, readFileSync } from 'node:fs'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** CPU ms so far by pid, with the program's name. */
export type CpuSnapshot = Map<string, { program: string; ms: number }>

/** Kernel threads rename themselves after their current work: one name for them all. */
const programOf = (comm: string) =>
  /^(kworker|ksoftirqd|migration|rcu_)/.test(comm) ? 'kernel' : comm

export function cpuSnapshot(): CpuSnapshot {
  const byPid: CpuSnapshot = new Map()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return byPid
  }
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // it exited meanwhile
    }
    // comm may hold spaces and parentheses: it ends at the last ')'.
    const close = stat.lastIndexOf(')')
    const comm = stat.slice(stat.indexOf('(') + 1, close)
    const fields = stat.slice(close + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12]) // utime + stime
    byPid.set(pid, { program: programOf(comm), ms: ticks * TICK_MS })
  }
  return byPid
}

/** CPU ms by program between two snapshots. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const byProgram = new Map<string, number>()
  for (const [pid, { program, ms }] of after) {
    const spent = ms - (before.get(pid)?.ms ?? 0)
    byProgram.set(program, (byProgram.get(program) ?? 0) + spent)
  }
  return byProgram
}

/** CPU ms per operation by program, the busiest first (≥ 0.01 ms). */
export function perOp(spent: Map<string, number>, ops: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, ms] of [...spent].sort((a, b) => b[1] - a[1])) {
    if (ms / ops >= 0.01) out[name] = ms / ops
  }
  return out
}

/** CPU ms per operation by program between two snapshots, the busiest first (≥ 0.01 ms). */
export const cpuPerOp = (before: CpuSnapshot, after: CpuSnapshot, ops: number) =>
  perOp(cpuSpent(before, after), ops)

/** "workerd 3.1, node 1.2, postgres 0.8": CPU ms per operation, for a table cell. */
export function formatCpu(cpu: Record<string, number> | undefined, top = 4): string {
  if (!cpu) return ''
  return Object.entries(cpu)
    .slice(0, top)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ')
}
