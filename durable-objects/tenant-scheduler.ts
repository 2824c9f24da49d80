import { fireDueJobs } from '../src/domain/cron/fire'
import { purgeExpired } from '../src/domain/hygiene/retention'
import { sweepOutbox } from '../src/domain/push/sweep'
import { dispatch } from '../src/domain/queue/dispatch'
import { reap } from '../src/domain/queue/reaper'
import type { Scope } from '../src/domain/scope'
import { log } from '../src/lib/log'
import { TenantObject } from './tenant-object'

/**
 * What a tenant's scheduler does on time. Each returns when it is due next (epoch ms), or
 * null when only a new call to `wake` makes it due again.
 */
const DUTIES = {
  /** The lease reaper: expired leases back to the queue, passed deadlines failed. */
  async leases(scope: Scope, now: number) {
    const { requeued, failed } = await reap(scope)
    for (const task of requeued) await dispatch(scope.env, scope.tenantId, task)
    if (requeued.length || failed.length)
      log.info('reaper', {
        tenant_id: scope.tenantId,
        requeued: requeued.length,
        failed: failed.length,
      })
    return now + scope.config.REAPER_INTERVAL_SECONDS * 1000
  },
  /**
   * Cron jobs whose slot has come. While any is enabled the jobs are read again at least
   * every reaper interval, so a change that reached the rows but not this object (its wake
   * failed) costs only that long.
   */
  async cron(scope: Scope, now: number) {
    const next = await fireDueJobs(scope)
    if (next === null) return null
    return Math.min(next.getTime(), now + scope.config.REAPER_INTERVAL_SECONDS * 1000)
  },
  /** Push deliveries due (first tries and retries). */
  async push(scope: Scope) {
    return sweepOutbox(scope)
  },
  /** Task output and events of finished tasks past retention, once an hour. */
  async retention(scope: Scope, now: number) {
    const purged = await purgeExpired(scope)
    if (purged.output || purged.events || purged.pushes)
      log.info('retention', { tenant_id: scope.tenantId, ...purged })
    return now + HOUR_MS
  },
} satisfies Record<string, (scope: Scope, now: number) => Promise<number | null>>

export type Duty = keyof typeof DUTIES
const DUTY_NAMES = Object.keys(DUTIES) as Duty[]

const HOUR_MS = 3600_000
/** A duty that failed (the database away) is tried again after this long. */
const FAILED_RETRY_MS = 30_000
/**
 * How far ahead a running duty is marked due, in case its run dies with the isolate. The
 * runtime fires an alarm whose handler did not finish again (at a restart, or after its own
 * back-off), so the first mark only has to be past by then: a deploy mid-run delays the duty
 * seconds, not the 30 s it once did. A duty whose runs keep dying (one that kills the isolate)
 * is marked further ahead each time, up to CUT_BACKOFF_MAX_MS, so it cannot spin.
 */
const RUNNING_MARK_MS = 2_000
const CUT_BACKOFF_MAX_MS = 10 * 60_000
const markAfter = (cut: number) =>
  cut === 0 ? RUNNING_MARK_MS : Math.min(FAILED_RETRY_MS * 2 ** (cut - 1), CUT_BACKOFF_MAX_MS)
const key = (duty: Duty) => `due:${duty}`
/** Runs of the duty begun and not finished: its run is going on, or died with the isolate. */
const cutKey = (duty: Duty) => `cut:${duty}`
/** The earliest wake for a duty that came while it ran and was not before its mark. */
const wokeKey = (duty: Duty) => `woke:${duty}`

/**
 * One per tenant: the one owner of its alarm. Each duty keeps its next due time in storage;
 * the alarm runs the duties that are due and sleeps until the earliest next one. Storage and
 * the alarm are durable, so a retry or a cron slot survives restarts and deploys; the rows in
 * Postgres are the truth, so a lost alarm costs only time, until the next `wake`.
 */
export class TenantScheduler extends TenantObject {
  protected override readonly kind = 'scheduler'

  /**
   * Makes `duty` due by `at` (epoch ms; now when omitted). Never postpones it; a wake that
   * comes while the duty runs is kept for the run's end to honour.
   */
  async wake(duty: Duty, at = Date.now()): Promise<void> {
    const stored = await this.ctx.storage.get<number>([
      ...DUTY_NAMES.map(key),
      cutKey(duty),
      wokeKey(duty),
    ])
    const dues = duesOf(stored)
    const changed: Record<string, number> = {}
    const current = dues.get(duty)
    if (current === undefined || at < current) {
      changed[key(duty)] = at
      dues.set(duty, at)
    } else if (stored.has(cutKey(duty))) {
      const woke = stored.get(wokeKey(duty))
      if (woke === undefined || at < woke) changed[wokeKey(duty)] = at
    }
    // Retention comes with the first work; from then on it recurs hourly, as the reaper does
    // every interval.
    if (!dues.has('retention')) {
      changed[key('retention')] = Date.now()
      dues.set('retention', Date.now())
    }
    if (Object.keys(changed).length > 0) await this.ctx.storage.put(changed)
    // Also when nothing changed: an alarm the runtime gave up on is set again by the next wake.
    await this.setAlarm(dues)
  }

  override async alarm(): Promise<void> {
    if (!this.hasTenant) return
    // An alarm this object set as the push outbox, which kept no due times: its deliveries.
    if ((await this.dues()).size === 0) await this.ctx.storage.put(key('push'), Date.now())
    const scope = this.scope()
    for (const duty of DUTY_NAMES) {
      const due = await this.ctx.storage.get<number>(key(duty))
      const now = Date.now()
      if (due === undefined || due > now) continue
      // Until it has run, the duty stays due a little later (further each time its runs die):
      // if this run dies with the isolate, it comes again.
      const cut = (await this.ctx.storage.get<number>(cutKey(duty))) ?? 0
      const mark = now + markAfter(cut)
      await this.ctx.storage.put({ [key(duty)]: mark, [cutKey(duty)]: cut + 1 })
      let next: number | null
      try {
        next = await DUTIES[duty](scope, now)
      } catch (err) {
        log.error(`scheduler duty ${duty} failed`, {
          tenant_id: this.tenantId,
          error: err as Error,
        })
        next = now + FAILED_RETRY_MS
      }
      // Wakes while it ran: one before the mark moved it, a later one was kept aside.
      const after = await this.ctx.storage.get<number>([key(duty), wokeKey(duty)])
      const woken = after.get(key(duty))
      const wakes = [woken === mark ? undefined : woken, after.get(wokeKey(duty))].filter(
        (t): t is number => t !== undefined,
      )
      const wanted = wakes.length > 0 ? Math.min(next ?? Number.POSITIVE_INFINITY, ...wakes) : next
      await this.ctx.storage.delete([cutKey(duty), wokeKey(duty)])
      if (wanted === null) await this.ctx.storage.delete(key(duty))
      else await this.ctx.storage.put(key(duty), wanted)
    }
    await this.setAlarm()
  }

  /** Each duty's due time, by duty (those with none are absent). */
  private async dues(): Promise<Map<Duty, number>> {
    return duesOf(await this.ctx.storage.get<number>(DUTY_NAMES.map(key)))
  }

  /** The alarm at the earliest due time, never later than it is already set. */
  private async setAlarm(dues?: Map<Duty, number>) {
    const earliest = Math.min(...(dues ?? (await this.dues())).values())
    if (!Number.isFinite(earliest)) return
    const wanted = Math.max(Date.now(), earliest)
    const current = await this.ctx.storage.getAlarm()
    if (current === null || wanted < current) await this.ctx.storage.setAlarm(wanted)
  }
}

/** The due times among stored values, by duty (those with none are absent). */
function duesOf(stored: Map<string, number>): Map<Duty, number> {
  const dues = new Map<Duty, number>()
  for (const duty of DUTY_NAMES) {
    const at = stored.get(key(duty))
    if (at !== undefined) dues.set(duty, at)
  }
  return dues
}
