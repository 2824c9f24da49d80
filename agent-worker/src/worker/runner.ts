import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { CLI_KEYS, codingCliExecutors } from '../executors/coding-cli.js'
import { type ExecutorChoice, pick } from '../executors/index.js'
import { childEnv } from '../executors/sandbox.js'
import type { ApprovalMode, Executor, TaskSpec } from '../executors/types.js'
import type { Server } from '../http.js'
import { bold, log } from '../log.js'
import { serverApprovals } from './approvals.js'
import { Delivery, type NextWork } from './delivery.js'
import { type Outcome, TaskJournal } from './journal.js'

export interface RunnerDeps {
  server: Server
  workerId: string
  stateDir: string
  approval: ApprovalMode
  choice: ExecutorChoice
  executors: Map<string, Executor>
  /** The next work, asked for with a finished task's report (absent: reports only). */
  next?: NextWork
}

/** A claimed task being run: stop() asks it to end (the server cancelled it, or shutdown). */
export interface Running {
  spec: TaskSpec
  stop(reason: 'cancelled' | 'shutdown'): void
  /** Gives up sending (the server is away at shutdown): the journal keeps it for next start. */
  abandon(): void
  done: Promise<void>
}

/**
 * Runs one claimed task from start to the server acknowledging its outcome: the journal
 * first, then the executor, whose output streams through the journal's delivery.
 */
export function runTask(deps: RunnerDeps, spec: TaskSpec): Running {
  const journal = TaskJournal.create(deps.stateDir, spec.id, spec.attempt)
  const abort = new AbortController()
  let stopReason: 'cancelled' | 'shutdown' | 'refused' | undefined
  const delivery = new Delivery(
    deps.server,
    deps.workerId,
    journal,
    (why) => {
      log.warn(`task ${spec.id}: the server refused its output, stopping (${why})`)
      stopReason ??= 'refused'
      abort.abort()
    },
    deps.next,
  )
  const chosen = pick(spec, deps.choice, deps.executors)

  async function execute(executor: Executor): Promise<Outcome> {
    mkdirSync(spec.codebasePath, { recursive: true })
    log.info(`task ${bold(spec.id)}: ${executor.name} in ${spec.codebasePath}`)
    const keep = executor.name in codingCliExecutors ? CLI_KEYS : []
    try {
      return await executor.run({
        task: spec,
        signal: abort.signal,
        emit: (line) => {
          journal.output(line)
          delivery.kick()
        },
        approval: deps.approval,
        approvals: serverApprovals(deps.server, deps.workerId, spec),
        env: childEnv(process.env, keep),
        onProcess: (pgid) => journal.addProcess(pgid),
      })
    } catch (err) {
      return { status: 'failed', error: `${executor.name} crashed: ${(err as Error).message}` }
    }
  }

  const done = (async () => {
    let outcome: Outcome =
      typeof chosen === 'string' ? { status: 'failed', error: chosen } : await execute(chosen)
    // Stopped before finishing: nothing to report but that the lease is free again (a
    // cancelled task stays cancelled; a task dropped at shutdown goes back to the queue).
    if (stopReason) outcome = { status: 'released' }
    journal.finish(outcome)
    delivery.kick()
    await delivery.settled
    if (!journal.done) {
      log.warn(`task ${spec.id}: ${journal.pending().length} report(s) kept for the next start`)
      return
    }
    journal.remove()
    log.info(
      `task ${bold(spec.id)}: ${outcome.status}${'error' in outcome ? `: ${outcome.error}` : ''}`,
    )
  })()

  return {
    spec,
    done,
    stop(reason) {
      stopReason ??= reason
      abort.abort()
    },
    abandon: () => delivery.abandon(),
  }
}

/**
 * Resumes what an earlier run of this worker left: stops its orphans, flushes, lets go. A
 * stop leaves what is not delivered yet in its journal, for the next start.
 */
export async function recoverLeftovers(
  deps: RunnerDeps,
  killGroup: (pgid: number) => void,
  stopping: AbortSignal,
) {
  for (const journal of TaskJournal.leftOver(deps.stateDir)) {
    if (stopping.aborted) return
    for (const pgid of journal.meta.pgids) killGroup(pgid)
    // The executor died with the worker; its output so far is delivered under the old lease
    // (if it is still valid), then the task goes back to the queue for a fresh attempt.
    journal.finish({ status: 'released' })
    const delivery = new Delivery(deps.server, deps.workerId, journal, () => {})
    const abandon = () => delivery.abandon()
    stopping.addEventListener('abort', abandon, { once: true })
    await delivery.settled
    stopping.removeEventListener('abort', abandon)
    if (!journal.done) return
    journal.remove()
    log.info(`task ${journal.meta.taskId}: recovered after a restart and handed back to the queue`)
  }
}

export const scratchDir = (stateDir: string, taskId: string) =>
  join(stateDir, 'scratch', encodeURIComponent(taskId))
