/**
 * `Idempotency-Key` on task creation: the first request with a key reserves it in Redis
 * together with the id the task will get and a fingerprint of the request; a repeat gets the
 * same task back, a different request under the same key is refused.
 */
import type { Redis } from '@upstash/redis/cloudflare'
import { sha256Hex } from '../lib/digest'
import { ApiError, badRequest } from '../lib/errors'

const TTL_SECONDS = 24 * 3600
const KEY = /^[\x21-\x7e]{1,255}$/

export interface Idempotent<T> {
  value: T
  replayed: boolean
}

export async function idempotentCreate<T>(
  redis: Redis,
  tenantId: string,
  key: string,
  request: unknown,
  create: (id: string) => Promise<T>,
  find: (id: string) => Promise<T | undefined>,
): Promise<Idempotent<T>> {
  if (!KEY.test(key)) {
    throw badRequest('Idempotency-Key must be 1-255 visible ASCII characters')
  }
  const slot = `idem:${tenantId}:${await sha256Hex(key)}`
  const fingerprint = await sha256Hex(JSON.stringify(request))
  const id = crypto.randomUUID()
  const reserved = await redis.set(slot, `${id} ${fingerprint}`, { nx: true, ex: TTL_SECONDS })
  if (reserved === 'OK') {
    try {
      return { value: await create(id), replayed: false }
    } catch (err) {
      // Nothing was created: the key is free for a corrected retry.
      await redis.del(slot)
      throw err
    }
  }
  const [firstId, firstFingerprint] = String((await redis.get<string>(slot)) ?? '').split(' ')
  if (!firstId) return idempotentCreate(redis, tenantId, key, request, create, find)
  if (firstFingerprint !== fingerprint) {
    throw new ApiError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request',
    )
  }
  // The first request may still be creating it.
  for (let wait = 25; wait <= 800; wait *= 2) {
    const existing = await find(firstId)
    if (existing !== undefined) return { value: existing, replayed: true }
    await new Promise((r) => setTimeout(r, wait))
  }
  throw new ApiError(
    409,
    'idempotency_in_progress',
    'A request with this Idempotency-Key is still running',
  )
}
