/** Webhook configs as the A2A bindings take and give them (domain/push/configs.ts stores them). */
import type { TaskPushNotificationConfig } from '@a2a-js/sdk'
import { PushNotificationNotSupportedError, RequestMalformedError } from '@a2a-js/sdk/errors'
import type { PushConfigRow } from '../../domain/push/configs'
import { savePushConfig } from '../../domain/push/configs'
import type { Scope } from '../../domain/scope'
import { outboundPolicy, outboundUrlProblem } from '../../lib/outbound-url'

/**
 * The id of a webhook a v0.3 client set without one: that client reads it back without one
 * too (v0.3's pushNotificationConfigId is optional), so an unnamed one is the task's default.
 */
const UNNAMED_V03 = 'default'

export const storedId = (id: string) => id || UNNAMED_V03

/** The key that seals webhook secrets: without it, push is not offered. */
export function requirePush(s: Scope): string {
  const key = s.config.SECRETS_KEY
  if (!key)
    throw new PushNotificationNotSupportedError('Push notifications need SECRETS_KEY on the server')
  return key
}

export async function savePush(
  s: Scope,
  params: TaskPushNotificationConfig,
  wireVersion: '0.3' | '1.0',
): Promise<PushConfigRow> {
  const key = requirePush(s)
  const problem = await outboundUrlProblem(params.url, outboundPolicy(s.config))
  if (problem) throw new RequestMalformedError(`Push notification ${problem}`)
  return savePushConfig(s, key, {
    taskId: params.taskId,
    id: params.id || (wireVersion === '0.3' ? UNNAMED_V03 : undefined),
    url: params.url,
    token: params.token,
    authScheme: params.authentication?.scheme,
    credentials: params.authentication?.credentials,
    wireVersion,
  })
}

/** A config as served back: secrets never leave, only whether they are set. */
export function pushView(row: PushConfigRow): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: row.id,
    taskId: row.taskId,
    url: row.url,
    token: '',
    authentication: row.authScheme ? { scheme: row.authScheme, credentials: '' } : undefined,
  }
}
