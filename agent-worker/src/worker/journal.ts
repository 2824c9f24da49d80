import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import type { PendingAction } from '../executors/types.js'
import { PRIVATE, privateDir } from '../private-fs.js'
import { splitLine } from './lines.js'

/** How a task attempt ended, as the worker reports it to the server. */
export type Outcome =
  | { status: 'completed'; result: string; sessionId?: string }
  | { status: 'failed'; error: string; sessionId?: string }
  | { status: 'input-required'; pending: PendingAction; sessionId?: string }
  /** Hand the task back to the queue (shutdown, or recovery after a crash). */
  | { status: 'released' }

export type Entry = { n: number; out: string } | { final: Outcome }

interface Meta {
  taskId: string
  attempt: number
  /** Process groups of the executor's children: a restarted worker stops survivors. */
  pgids: number[]
  startedAt: string
}

/**
 * The on-disk record of one task attempt: what it is, which processes it started, and its
 * outbox, every output line and the final outcome in order. Entries are appended before they
 * are sent and acknowledged after the server stored them, so neither a dead server nor a
 * killed worker loses one, and a resend is recognised by its line number.
 */
export class TaskJournal {
  private entries: Entry[] = []
  private acked = 0
  private lines = 0
  /** The server takes no more output of this task (its output limit is spent). */
  private outputClosed = false

  private constructor(
    readonly dir: string,
    readonly meta: Meta,
  ) {}

  static create(root: string, taskId: string, attempt: number): TaskJournal {
    const dir = join(root, 'tasks', encodeURIComponent(taskId))
    rmSync(dir, { recursive: true, force: true })
    privateDir(dir)
    const j = new TaskJournal(dir, {
      taskId,
      attempt,
      pgids: [],
      startedAt: new Date().toISOString(),
    })
    j.saveMeta()
    return j
  }

  /** Journals left by an earlier run of this worker (it stopped or crashed mid-task). */
  static leftOver(root: string): TaskJournal[] {
    const base = join(root, 'tasks')
    if (!existsSync(base)) return []
    const found: TaskJournal[] = []
    for (const name of readdirSync(base)) {
      const dir = join(base, name)
      try {
        const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta
        const j = new TaskJournal(dir, meta)
        j.load()
        found.push(j)
      } catch {
        // Died before its meta was written: nothing was sent or run under it.
        rmSync(dir, { recursive: true, force: true })
      }
    }
    return found
  }

  private load() {
    const file = join(this.dir, 'outbox.jsonl')
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue
        try {
          this.entries.push(JSON.parse(line) as Entry)
        } catch {
          // A line torn by a crash mid-write is the last one, and was never sent.
          break
        }
      }
    }
    this.lines = this.entries.reduce((max, e) => ('n' in e ? Math.max(max, e.n) : max), 0)
    const acked = join(this.dir, 'acked')
    if (existsSync(acked)) this.acked = Number(readFileSync(acked, 'utf8')) || 0
  }

  private saveMeta() {
    writeFileSync(join(this.dir, 'meta.json'), JSON.stringify(this.meta), PRIVATE)
  }

  private append(entry: Entry) {
    appendFileSync(join(this.dir, 'outbox.jsonl'), `${JSON.stringify(entry)}\n`, PRIVATE)
    this.entries.push(entry)
  }

  addProcess(pgid: number) {
    this.meta.pgids.push(pgid)
    this.saveMeta()
  }

  /** One line of output; a line too long for the server becomes several (lines.ts). */
  output(text: string) {
    if (this.finished || this.outputClosed) return
    for (const piece of splitLine(text)) this.append({ n: ++this.lines, out: piece })
  }

  finish(outcome: Outcome) {
    if (!this.finished) this.append({ final: outcome })
  }

  get finished(): boolean {
    const last = this.entries.at(-1)
    return last !== undefined && 'final' in last
  }

  /** What the server has not acknowledged yet, oldest first. */
  pending(): Entry[] {
    return this.entries.slice(this.acked)
  }

  ack(count: number) {
    this.acked += count
    writeFileSync(join(this.dir, 'acked'), String(this.acked), PRIVATE)
  }

  /** Drops output the server will never take (the task moved on); the outcome stays. */
  dropOutput() {
    const rest = this.pending()
    const keep = rest.findIndex((e) => 'final' in e)
    this.ack(keep === -1 ? rest.length : keep)
  }

  /**
   * Drops the output not yet sent and any still to come, for a task that keeps running but
   * whose output the server no longer takes (it holds the task's limit); the outcome stays.
   */
  closeOutput() {
    this.outputClosed = true
    this.dropOutput()
  }

  get done(): boolean {
    return this.finished && this.pending().length === 0
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true })
  }
}
