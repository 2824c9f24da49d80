/**
 * `Idempotency-Key` on task creation: the first request with a key reserves it in Redis
 * together with the id the task will get and a fingerprint of the request; a repeat gets the
 * same task back, a different request under the same key is refused. A key is the caller's
 * own: another principal's same key is another slot, so it never replays their task.
 */
import type { Redis } from '@upstash/redis/cloudflare'
import { pause } from '../../lib/deadline'
import { sha256Hex } from '../../lib/digest'
import { ApiError, badRequest } from '../../lib/errors'

const TTL_SECONDS = 24 * 3600
const KEY = /^[\x21-\x7e]{1,255}$/

export interface Idempotent<T> {
  value: T
  replayed: boolean
}

export async function idempotentCreate<T>(
  redis: Redis,
  caller: { tenantId: string; subject: string },
  key: string,
  request: unknown,
  create: (id: string) => Promise<T>,
  find: (id: string) => Promise<T | undefined>,
): Promise<Idempotent<T>> {
  if (!KEY.test(key)) {
    throw badRequest('Idempotency-Key must be 1-255 visible ASCII characters')
  }
  const slot = `idem:${caller.tenantId}:${await sha256Hex(`${caller.subject}\n${key}`)}`
  const fingerprint = await sha256Hex(JSON.stringify(request))
  const id = crypto.randomUUID()
  const reserved = await redis.set(slot, `${id} ${fingerprint}`, { nx: true, ex: TTL_SECONDS })
  if (reserved === 'OK') {
    const release = () => redis.del(slot)
    return { value: await createOnce(id, release, create, find), replayed: false }
  }
  const [firstId, firstFingerprint] = String((await redis.get<string>(slot)) ?? '').split(' ')
  if (!firstId) return idempotentCreate(redis, caller, key, request, create, find)
  if (firstFingerprint !== fingerprint) {
    throw new ApiError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request',
    )
  }
  // The first request may still be creating it.
  for (let wait = 25; wait <= 400; wait *= 2) {
    const existing = await find(firstId)
    if (existing !== undefined) return { value: existing, replayed: true }
    await pause(wait)
  }
  // Or it died before creating it (its Worker restarted mid-request): the id was reserved
  // with the key, so this retry creates it under that id, and the row's primary key keeps
  // a late first request from making a second one.
  return { value: await createOnce(firstId, undefined, create, find), replayed: true }
}

async function createOnce<T>(
  id: string,
  release: (() => Promise<unknown>) | undefined,
  create: (id: string) => Promise<T>,
  find: (id: string) => Promise<T | undefined>,
): Promise<T> {
  try {
    return await create(id)
  } catch (err) {
    const existing = await find(id).catch(() => undefined)
    if (existing !== undefined) return existing
    // Nothing was created: the key is free for a corrected retry.
    await release?.()
    throw err
  }
}
