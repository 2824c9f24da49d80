/**
 * Push notifications (A2A v1.0 §13.2): each state change of a task with webhooks becomes one
 * outbox row per webhook, serialized now, and the tenant's scheduler sends it (sweep.ts).
 */
import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server'
import { V1PushNotificationSerializer } from '@a2a-js/sdk/server'
import { schedulerOf } from '../../lib/live-objects'
import { log } from '../../lib/log'
import type { Scope } from '../scope'
import { toSdkTask, toStreamResponse } from '../task-model/a2a-wire'
import type { TaskEvent } from '../task-model/events'
import type { TaskRow } from '../task-model/store'
import { listPushConfigs } from './configs'
import { enqueueDeliveries, type NewDelivery } from './outbox'

const serializers = {
  '1.0': new V1PushNotificationSerializer(),
  '0.3': new V03PushNotificationSerializer(),
}

const hex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(token, "<t>.<body>")>`: the receiver recomputes it
 * with the token it chose, and rejects stale timestamps (replays).
 */
export async function signature(token: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(token),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`${timestamp}.${body}`),
  )
  return `t=${timestamp},v1=${hex(mac)}`
}

/**
 * Queues every state change in `events` for each webhook of the task and wakes the tenant's scheduler.
 * Awaited by the caller: once this returns, the deliveries survive the isolate. Each carries
 * X-A2A-Event-Id (task:seq), so receivers can order and drop duplicates.
 */
export async function enqueuePush(scope: Scope, task: TaskRow, events: TaskEvent[]) {
  try {
    await enqueue(scope, task, events)
  } catch (err) {
    // The change itself is committed: its caller must not fail for its notification.
    log.error('push enqueue failed', { task_id: task.id, error: err as Error })
  }
}

async function enqueue(scope: Scope, task: TaskRow, events: TaskEvent[]) {
  const changes = events.filter((e) => e.kind === 'status')
  if (!scope.config.SECRETS_KEY || changes.length === 0 || task.pushConfigs === 0) return
  const configs = await listPushConfigs(scope, task.id)
  const rows: NewDelivery[] = []
  for (const cfg of configs) {
    for (const event of changes) {
      const response = toStreamResponse(task, event)
      if (!response) continue
      const { body, contentType } = serializers[cfg.wireVersion].serialize(
        response,
        toSdkTask(task),
      )
      rows.push({ taskId: task.id, configId: cfg.id, seq: event.seq, body, contentType })
    }
  }
  if (rows.length === 0) return
  await enqueueDeliveries(scope, rows)
  await schedulerOf(scope.env, scope.tenantId).wake('push')
}
