import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server'
import { V1PushNotificationSerializer } from '@a2a-js/sdk/server'
import { toSdkTask, toStreamResponse } from '../a2a/convert'
import { log } from '../lib/log'
import {
  type OutboundPolicy,
  OutboundRefused,
  outboundFetch,
  outboundPolicy,
} from '../lib/outbound-url'
import { unseal } from '../lib/seal'
import { count } from '../metrics/counters'
import type { TaskEvent } from '../tasks/events'
import type { Scope } from '../tasks/scope'
import type { TaskRow } from '../tasks/store'
import { claimDelivery, listPushConfigs, type PushConfigRow } from './configs'

const serializers = {
  '1.0': new V1PushNotificationSerializer(),
  '0.3': new V03PushNotificationSerializer(),
}
const BACKOFF_MS = [0, 1000, 4000]
const TIMEOUT_MS = 10_000

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

async function post(
  policy: OutboundPolicy,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<boolean> {
  for (const delay of BACKOFF_MS) {
    if (delay) await new Promise((r) => setTimeout(r, delay))
    try {
      // Checked again at delivery, not only when the config was saved: names move.
      const res = await outboundFetch(policy, url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
      await res.body?.cancel()
      if (res.ok) return true
      if (res.status < 500 && res.status !== 408 && res.status !== 429) return false // the receiver said no
    } catch (err) {
      if (err instanceof OutboundRefused) {
        log.warn('push delivery refused', { url_problem: err.message })
        return false
      }
      // network error or timeout: retry
    }
  }
  return false
}

async function deliverOne(
  scope: Scope,
  secretsKey: string,
  task: TaskRow,
  cfg: PushConfigRow,
  event: TaskEvent,
) {
  const response = toStreamResponse(task, event)
  if (!response || !(await claimDelivery(scope, cfg, event.seq))) return
  const { body, contentType } = serializers[cfg.wireVersion].serialize(response, toSdkTask(task))
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-A2A-Event-Id': `${task.id}:${event.seq}`, // receivers drop duplicates by this
  }
  if (cfg.sealedToken) {
    const token = await unseal(secretsKey, cfg.sealedToken)
    headers['X-A2A-Notification-Token'] = token
    headers['X-A2A-Signature'] = await signature(token, Math.floor(Date.now() / 1000), body)
  }
  if (cfg.authScheme && cfg.sealedCredentials) {
    headers.Authorization = `${cfg.authScheme} ${await unseal(secretsKey, cfg.sealedCredentials)}`
  }
  const ok = await post(outboundPolicy(scope.config), cfg.url, headers, body)
  count('codetether_push_deliveries_total', { outcome: ok ? 'delivered' : 'failed' })
  if (!ok) log.warn('push delivery failed', { task_id: task.id, config_id: cfg.id, seq: event.seq })
}

/** Deliveries of one task queue behind each other, so a retry never lets a later change overtake. */
const queues = new Map<string, Promise<void>>()

/**
 * POSTs every state change in `events` to each webhook of the task, in order. Each delivery
 * also carries X-A2A-Event-Id (task:seq), so receivers can order and drop duplicates even
 * across isolates.
 */
export function deliverPush(scope: Scope, task: TaskRow, events: TaskEvent[]): Promise<void> {
  const secretsKey = scope.config.SECRETS_KEY
  const changes = events.filter((e) => e.kind === 'status')
  if (!secretsKey || changes.length === 0 || task.pushConfigs === 0) return Promise.resolve()
  const run = async () => {
    const configs = await listPushConfigs(scope, task.id)
    await Promise.all(
      configs.map(async (cfg) => {
        for (const event of changes) await deliverOne(scope, secretsKey, task, cfg, event)
      }),
    )
  }
  const queued = (queues.get(task.id) ?? Promise.resolve()).then(run)
  const tail = queued.catch(() => {})
  queues.set(task.id, tail)
  tail.then(() => {
    if (queues.get(task.id) === tail) queues.delete(task.id)
  })
  return queued
}
