import { Cron } from 'croner'

/** A schedule that cannot run: the message says which part is wrong. */
export class InvalidSchedule extends Error {}

/** A checked 5-field cron expression in an IANA time zone. */
export interface Schedule {
  expression: string
  timezone: string
}

function cronOf(s: Schedule): Cron {
  const fields = s.expression.trim().split(/\s+/)
  if (fields.length !== 5) {
    throw new InvalidSchedule(
      `cron_expression needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    )
  }
  try {
    Intl.DateTimeFormat('en', { timeZone: s.timezone })
  } catch {
    throw new InvalidSchedule(`timezone ${JSON.stringify(s.timezone)} is not an IANA time zone`)
  }
  try {
    return new Cron(fields.join(' '), { timezone: s.timezone })
  } catch (err) {
    throw new InvalidSchedule(
      `cron_expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`,
    )
  }
}

/** The first slot strictly after `after`, or null when the schedule never fires again. */
export function nextSlot(s: Schedule, after: Date): Date | null {
  return cronOf(s).nextRun(after)
}

/** The latest slot at or before `at` (croner's previousRuns is strictly before its reference). */
export function lastSlot(s: Schedule, at: Date): Date | null {
  return cronOf(s).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null
}

/** The next `count` slots after `after` (for validate-cron and the UI). */
export function upcoming(s: Schedule, count: number, after = new Date()): Date[] {
  return cronOf(s).nextRuns(count, after)
}
