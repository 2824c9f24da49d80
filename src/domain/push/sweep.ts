/**
 * Sends the tenant's due push deliveries (a duty of the tenant's scheduler): each signed at the moment it
 * is sent, each try recorded, failures retried with exponential backoff until the event is
 * PUSH_RETRY_HOURS old. A config's deliveries go out in seq order, one at a time.
 */

import { count } from '../../lib/counters'
import { log } from '../../lib/log'
import { OutboundRefused, outboundFetch, outboundPolicy } from '../../lib/outbound-url'
import { unseal } from '../../lib/seal'
import type { Scope } from '../scope'
import { signature } from './deliver'
import {
  type Attempt,
  nextDue,
  type PendingDelivery,
  pendingDeliveries,
  recordAttempt,
} from './outbox'

const BATCH = 200
const PARALLEL_CONFIGS = 8
const TIMEOUT_MS = 10_000
const MAX_WAIT_MS = 3600_000

/** The wait before try `n + 1` after `n` failed tries: base, 2×base, 4×base … up to an hour. */
export function backoffMs(baseMs: number, failedTries: number): number {
  return Math.min(MAX_WAIT_MS, baseMs * 2 ** Math.min(failedTries - 1, 30))
}

async function headersFor(secretsKey: string, d: PendingDelivery): Promise<Headers> {
  const headers = new Headers({
    'Content-Type': d.contentType,
    'X-A2A-Event-Id': `${d.taskId}:${d.seq}`, // receivers drop duplicates by this
  })
  if (d.sealedToken) {
    const token = await unseal(secretsKey, d.sealedToken)
    headers.set('X-A2A-Notification-Token', token)
    headers.set('X-A2A-Signature', await signature(token, Math.floor(Date.now() / 1000), d.body))
  }
  if (d.authScheme && d.sealedCredentials) {
    headers.set('Authorization', `${d.authScheme} ${await unseal(secretsKey, d.sealedCredentials)}`)
  }
  return headers
}

/** One try: what happened, and whether it is worth trying again. */
async function send(
  scope: Scope,
  secretsKey: string,
  d: PendingDelivery,
): Promise<{ statusCode: number | null; error: string | null; retry: boolean }> {
  try {
    const res = await outboundFetch(outboundPolicy(scope.config), d.url, {
      method: 'POST',
      headers: await headersFor(secretsKey, d),
      body: d.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    await res.body?.cancel()
    if (res.ok) return { statusCode: res.status, error: null, retry: false }
    // A 4xx other than timeout or rate limit is the receiver saying no: asking again won't help.
    const retry = res.status >= 500 || res.status === 408 || res.status === 429
    return { statusCode: res.status, error: null, retry }
  } catch (err) {
    if (err instanceof OutboundRefused) {
      return { statusCode: null, error: `refused: ${err.message}`, retry: false }
    }
    return { statusCode: null, error: 'no answer', retry: true }
  }
}

async function attempt(scope: Scope, secretsKey: string, d: PendingDelivery): Promise<boolean> {
  const { statusCode, error, retry } = await send(scope, secretsKey, d)
  const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300
  const at = Date.now() + backoffMs(scope.config.PUSH_RETRY_BASE_MS, d.attempts + 1)
  const giveUpAt = d.createdAt.getTime() + scope.config.PUSH_RETRY_HOURS * 3600_000
  const again = !delivered && retry && at <= giveUpAt
  const outcome: Attempt = {
    statusCode,
    error,
    state: delivered ? 'delivered' : again ? 'pending' : 'failed',
    nextAttemptAt: again ? new Date(at) : null,
  }
  await recordAttempt(scope, d, outcome)
  count('codetether_push_deliveries_total', {
    outcome: delivered ? 'delivered' : again ? 'retrying' : 'failed',
  })
  if (outcome.state === 'failed') {
    log.warn('push delivery failed', {
      task_id: d.taskId,
      config_id: d.configId,
      seq: d.seq,
      status: statusCode ?? undefined,
      error: error ?? undefined,
    })
  }
  return outcome.state !== 'pending'
}

/** One config's queue: in seq order while due; a delivery that will be retried blocks the rest. */
async function drain(scope: Scope, secretsKey: string, queue: PendingDelivery[], now: number) {
  let go = false
  for (const d of queue) {
    // Due by its own time, or released by the one before it settling.
    if (!go && (d.nextAttemptAt?.getTime() ?? 0) > now) return
    try {
      if (!(await attempt(scope, secretsKey, d))) return
    } catch (err) {
      // e.g. the config was deleted mid-try: this queue waits for the next sweep, others go on.
      log.warn('push attempt not recorded', { task_id: d.taskId, error: err as Error })
      return
    }
    go = true
  }
}

/** Sends what is due; returns when the outbox next needs waking (epoch ms), or null. */
export async function sweepOutbox(scope: Scope): Promise<number | null> {
  const secretsKey = scope.config.SECRETS_KEY
  if (!secretsKey) return null // push is off: the rows wait for a key
  const now = Date.now()
  const pending = await pendingDeliveries(scope, BATCH)
  const queues = new Map<string, PendingDelivery[]>()
  for (const d of pending) {
    const key = `${d.taskId}\u0000${d.configId}`
    const queue = queues.get(key)
    if (queue) queue.push(d)
    else queues.set(key, [d])
  }
  const all = [...queues.values()]
  for (let i = 0; i < all.length; i += PARALLEL_CONFIGS) {
    await Promise.all(
      all.slice(i, i + PARALLEL_CONFIGS).map((q) => drain(scope, secretsKey, q, now)),
    )
  }
  // A full batch may have left work behind: come back at once.
  return pending.length === BATCH ? Date.now() : nextDue(scope)
}
