import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { expectedLines, type Watched } from './load'

/** The figures that must all be 0 after a chaos run, and the ones that explain the run. */
export interface Verdict {
  tasks: number
  completed: number
  lost: number
  completedTwice: number
  /** Commands that ran to their end more than once (killed between exit and its journal). */
  ranTwice: number
  outputLines: number
  linesMissing: number
  linesDuplicated: number
  linesOutOfOrder: number
  /** Lines of attempts a kill cut short (kept, and told apart by their attempt number). */
  abandonedAttemptLines: number
  retriedTasks: number
  watched: number
  streamReconnects: number
  eventsMissed: number
  eventsDuplicated: number
  /** Each task that did not complete, as the database has it: what a failed run is about. */
  unfinished: string[]
}

export const MUST_BE_ZERO = [
  'lost',
  'completedTwice',
  'linesMissing',
  'linesDuplicated',
  'linesOutOfOrder',
  'eventsMissed',
  'eventsDuplicated',
] as const satisfies readonly (keyof Verdict)[]

interface OutputRow {
  task_id: string
  /** bigint: pg hands it over as a string. */
  seq: string
  payload: { output: string; attempt?: number; line?: number }
}

/** A Postgres session as the app role inside one tenant: what the tenant's rows look like. */
export async function connectAsTenant(databaseUrl: string, tenantId: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  await db.query(`select set_config('app.tenant_id', $1, false)`, [tenantId])
  return db
}

/**
 * Reads the outcome straight from Postgres, under the tenant's row-level security, and
 * compares it with what every task should have produced.
 */
export async function verify(opts: {
  databaseUrl: string
  tenantId: string
  tasks: { id: string; k: number; codebase: string }[]
  codebases: string[]
  watched: Watched[]
}): Promise<Verdict> {
  const db = await connectAsTenant(opts.databaseUrl, opts.tenantId)
  try {
    const ids = opts.tasks.map((t) => t.id)
    const rows = await db.query<{
      id: string
      status: string
      attempt: number
      max_attempts: number
      error: string | null
      worker_id: string | null
      lease_expires_at: Date | null
    }>(
      `select id, status, attempt, max_attempts, error, worker_id, lease_expires_at
         from tasks where id = any($1)`,
      [ids],
    )
    const completions = await db.query<{ task_id: string; n: number }>(
      `select task_id, count(*)::int as n from task_events
        where task_id = any($1) and kind = 'status' and payload->'status'->>'state' = 'completed'
        group by task_id`,
      [ids],
    )
    const outputs = await db.query<OutputRow>(
      `select task_id, seq, payload from task_events
        where task_id = any($1) and kind = 'output' order by task_id, seq`,
      [ids],
    )
    const byTask = new Map<string, OutputRow[]>()
    for (const r of outputs.rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r])
    const status = new Map(rows.rows.map((r) => [r.id, r]))

    const v: Verdict = {
      tasks: ids.length,
      completed: rows.rows.filter((r) => r.status === 'completed').length,
      lost: 0,
      completedTwice: completions.rows.filter((r) => r.n > 1).length,
      ranTwice: 0,
      outputLines: outputs.rows.length,
      linesMissing: 0,
      linesDuplicated: 0,
      linesOutOfOrder: 0,
      abandonedAttemptLines: 0,
      retriedTasks: 0,
      watched: opts.watched.length,
      streamReconnects: 0,
      eventsMissed: 0,
      eventsDuplicated: 0,
      unfinished: rows.rows
        .filter((r) => r.status !== 'completed')
        .map(
          (r) =>
            `${r.id}: ${r.status}, attempt ${r.attempt} of ${r.max_attempts}, worker ${r.worker_id}, ` +
            `lease until ${r.lease_expires_at?.toISOString()}, error ${r.error}`,
        ),
    }
    v.lost = v.tasks - v.completed

    for (const t of opts.tasks) {
      const row = status.get(t.id)
      if (!row) continue
      if (row.attempt > 1) v.retriedTasks++
      // Every attempt's lines must be its own, numbered 1..n without a gap or a repeat;
      // the completing attempt's must be exactly what the command printed.
      const attempts = new Map<number, OutputRow[]>()
      for (const o of byTask.get(t.id) ?? []) {
        const a = o.payload.attempt ?? 0
        attempts.set(a, [...(attempts.get(a) ?? []), o])
      }
      const expected = expectedLines(t.k)
      for (const [attempt, lines] of attempts) {
        const texts = lines.map((l) => l.payload.output)
        v.linesDuplicated += texts.length - new Set(texts).size
        if (lines.some((l, i) => l.payload.line !== i + 1 || texts[i] !== expected[i]))
          v.linesOutOfOrder++
        if (attempt !== row.attempt) v.abandonedAttemptLines += lines.length
      }
      if (row.status === 'completed') {
        const final = new Set((attempts.get(row.attempt) ?? []).map((l) => l.payload.output))
        v.linesMissing += expected.filter((l) => !final.has(l)).length
      }
    }

    const finishes = new Map<number, number>()
    for (const dir of opts.codebases) {
      const file = join(dir, 'finished.log')
      if (!existsSync(file)) continue
      for (const k of readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number))
        finishes.set(k, (finishes.get(k) ?? 0) + 1)
    }
    v.ranTwice = [...finishes.values()].filter((n) => n > 1).length

    for (const w of opts.watched) {
      v.streamReconnects += w.reconnects
      const stored = (byTask.get(w.taskId) ?? []).map((o) => Number(o.seq))
      const seen = new Set(w.seqs)
      v.eventsDuplicated += w.seqs.length - seen.size
      if (w.done) v.eventsMissed += stored.filter((s) => !seen.has(s)).length
      else v.eventsMissed += Math.max(1, stored.length - seen.size)
    }
    return v
  } finally {
    await db.end()
  }
}
