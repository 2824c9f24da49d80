/**
 * Request rate limits per principal and per tenant, as sliding windows in Upstash Redis
 * (`@upstash/ratelimit`). Over the limit: 429 with Retry-After. If Redis does not answer in
 * time (or fails) the request goes through: a slow limiter must not take the API down with it.
 */
import { Ratelimit } from '@upstash/ratelimit'
import type { Principal } from '../auth/principal'
import type { Config } from '../env'
import { ApiError } from '../lib/errors'
import { log } from '../lib/log'
import { redisOf } from '../redis/client'

const limiters = new Map<string, Ratelimit>()

function limiterOf(config: Config, spec: string, prefix: string): Ratelimit | undefined {
  if (spec === '0' || !config.UPSTASH_REDIS_REST_URL) return undefined
  const id = `${prefix} ${spec} ${config.UPSTASH_REDIS_REST_URL}`
  let limiter = limiters.get(id)
  if (!limiter) {
    const [count, seconds] = spec.split('/').map(Number) as [number, number]
    limiter = new Ratelimit({
      redis: redisOf(config),
      limiter: Ratelimit.slidingWindow(count, `${seconds} s`),
      prefix,
      // Callers already refused stay refused in this isolate without asking Redis again.
      ephemeralCache: new Map(),
      timeout: 1000,
      analytics: false,
    })
    limiters.set(id, limiter)
  }
  return limiter
}

type Verdict = Awaited<ReturnType<Ratelimit['limit']>>

/** One request counted against one limit; undefined when there is none or Redis failed. */
function count(config: Config, spec: string, prefix: string, key: string) {
  return limiterOf(config, spec, prefix)
    ?.limit(key)
    .catch((err): undefined => {
      log.warn('rate limit check failed; letting the request through', { error: String(err) })
      return undefined
    })
}

function refuse(r: Verdict | undefined, why: (retryAfter: number) => string) {
  if (!r || r.success) return
  const retryAfter = Math.max(1, Math.ceil((r.reset - Date.now()) / 1000))
  throw new ApiError(
    429,
    'rate_limited',
    why(retryAfter),
    { retry_after: retryAfter },
    { 'Retry-After': String(retryAfter) },
  )
}

/** Counts the request against both limits; throws 429 when either is spent. */
export async function enforceRateLimits(config: Config, p: Principal): Promise<void> {
  const [mine, tenant] = await Promise.all([
    count(config, config.RATE_LIMIT_PER_PRINCIPAL, 'rl:p', `${p.tenantId}:${p.subject}`),
    count(config, config.RATE_LIMIT_PER_TENANT, 'rl:t', p.tenantId),
  ])
  for (const [r, whose] of [
    [mine, 'your'],
    [tenant, "your tenant's"],
  ] as const) {
    refuse(r, (s) => `Too many requests: ${whose} limit is ${r?.limit} per window; retry in ${s} s`)
  }
}

/**
 * Password logins per username: the identity provider guards its users too, but this keeps a
 * guessing script from using CodeTether to hammer it.
 */
export async function enforceLoginLimit(config: Config, username: string): Promise<void> {
  const r = await count(config, '10/60', 'rl:login', username.toLowerCase())
  refuse(r, (s) => `Too many login attempts for this user; retry in ${s} s`)
}
