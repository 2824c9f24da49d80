/** The push outbox in Postgres: what waits to be delivered, and every try. */
import { and, asc, eq, sql } from 'drizzle-orm'
import { pushAttempts, pushDeliveries } from '../../storage/postgres/push-schema'
import { taskPushConfigs } from '../../storage/postgres/schema'
import { tenantBatch, tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

export interface NewDelivery {
  taskId: string
  configId: string
  seq: number
  body: string
  contentType: string
}

/** Queues deliveries; one already queued for its (config, seq) is left as it is. */
export async function enqueueDeliveries(scope: Scope, rows: NewDelivery[]): Promise<void> {
  if (rows.length === 0) return
  await tenantQuery(scope, (db) =>
    db
      .insert(pushDeliveries)
      .values(rows.map((r) => ({ ...r, tenantId: scope.tenantId })))
      .onConflictDoNothing(),
  )
}

/** A pending delivery with what sending it needs from its config. */
export type PendingDelivery = Awaited<ReturnType<typeof pendingDeliveries>>[number]

/**
 * Pending deliveries, due or not, grouped by config in seq order: a later event of a config
 * waits behind an earlier one, so a retry never lets a later change overtake.
 */
export function pendingDeliveries(scope: Scope, limit: number) {
  return tenantQuery(scope, (db) =>
    db
      .select({
        taskId: pushDeliveries.taskId,
        configId: pushDeliveries.configId,
        seq: pushDeliveries.seq,
        body: pushDeliveries.body,
        contentType: pushDeliveries.contentType,
        attempts: pushDeliveries.attempts,
        nextAttemptAt: pushDeliveries.nextAttemptAt,
        createdAt: pushDeliveries.createdAt,
        url: taskPushConfigs.url,
        sealedToken: taskPushConfigs.sealedToken,
        authScheme: taskPushConfigs.authScheme,
        sealedCredentials: taskPushConfigs.sealedCredentials,
      })
      .from(pushDeliveries)
      .innerJoin(
        taskPushConfigs,
        and(
          eq(taskPushConfigs.tenantId, pushDeliveries.tenantId),
          eq(taskPushConfigs.taskId, pushDeliveries.taskId),
          eq(taskPushConfigs.id, pushDeliveries.configId),
        ),
      )
      .where(eq(pushDeliveries.state, 'pending'))
      .orderBy(asc(pushDeliveries.taskId), asc(pushDeliveries.configId), asc(pushDeliveries.seq))
      .limit(limit),
  )
}

export interface Attempt {
  statusCode: number | null
  error: string | null
  /** The delivery's state after this try. */
  state: 'pending' | 'delivered' | 'failed'
  /** When it is tried again (state pending), else null. */
  nextAttemptAt: Date | null
}

/** Records one try and moves the delivery on, in one transaction. */
export async function recordAttempt(
  scope: Scope,
  d: Pick<PendingDelivery, 'taskId' | 'configId' | 'seq' | 'attempts'>,
  a: Attempt,
): Promise<void> {
  const key = { tenantId: scope.tenantId, taskId: d.taskId, configId: d.configId, seq: d.seq }
  await tenantBatch(scope, (db) => [
    db.insert(pushAttempts).values({
      ...key,
      attempt: d.attempts + 1,
      statusCode: a.statusCode,
      error: a.error,
      nextAttemptAt: a.nextAttemptAt,
    }),
    db
      .update(pushDeliveries)
      .set({
        attempts: d.attempts + 1,
        state: a.state,
        nextAttemptAt: a.nextAttemptAt,
        settledAt: a.state === 'pending' ? null : sql`now()`,
      })
      .where(
        and(
          eq(pushDeliveries.taskId, d.taskId),
          eq(pushDeliveries.configId, d.configId),
          eq(pushDeliveries.seq, d.seq),
        ),
      ),
  ])
}

/**
 * When the outbox next has something to send (epoch ms), or null when nothing waits: the
 * soonest of each config's first pending delivery, since the ones behind it wait for it.
 */
export async function nextDue(scope: Scope): Promise<number | null> {
  const heads = await tenantQuery(scope, (db) =>
    db
      .selectDistinctOn([pushDeliveries.taskId, pushDeliveries.configId], {
        at: pushDeliveries.nextAttemptAt,
      })
      .from(pushDeliveries)
      .where(eq(pushDeliveries.state, 'pending'))
      .orderBy(asc(pushDeliveries.taskId), asc(pushDeliveries.configId), asc(pushDeliveries.seq)),
  )
  const times = heads.flatMap((h) => (h.at ? [h.at.getTime()] : []))
  return times.length ? Math.min(...times) : null
}

/** A task's deliveries and their tries, oldest first (the push-deliveries listing). */
export async function taskDeliveries(scope: Scope, taskId: string) {
  const [deliveries, attempts] = await tenantBatch(scope, (db) => [
    db
      .select()
      .from(pushDeliveries)
      .where(eq(pushDeliveries.taskId, taskId))
      .orderBy(asc(pushDeliveries.seq), asc(pushDeliveries.configId)),
    db
      .select()
      .from(pushAttempts)
      .where(eq(pushAttempts.taskId, taskId))
      .orderBy(asc(pushAttempts.seq), asc(pushAttempts.attempt)),
  ])
  return deliveries.map((d) => ({
    ...d,
    tries: attempts.filter((a) => a.configId === d.configId && a.seq === d.seq),
  }))
}
