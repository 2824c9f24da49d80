/**
 * Request rate limits per principal and per tenant, as sliding windows in Upstash Redis
 * (`@upstash/ratelimit`). Over the limit: 429 with Retry-After. If Redis does not answer in
 * time (or fails) the request goes through: a slow limiter must not take the API down with it.
 * Under load the counts travel in batches (tally.ts), so a busy principal does not pay a
 * Redis round trip on every request.
 */
import { Ratelimit } from '@upstash/ratelimit'
import type { Principal } from '../../auth/principal'
import type { Config } from '../../env'
import { ApiError } from '../../lib/errors'
import { log } from '../../lib/log'
import { redisOf } from '../../storage/redis/client'
import { LIMITS, type LimitName, type LimitSpec, overLimit } from './table'
import { Tallies, type Verdict } from './tally'

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

const tallies = new Tallies()

/** `n` requests counted against one limit; undefined when there is none or Redis failed. */
function count(limiter: Ratelimit, key: string, n = 1): Promise<Verdict | undefined> {
  return limiter.limit(key, { rate: n }).catch((err): undefined => {
    log.warn('rate limit check failed; letting the request through', { error: String(err) })
    return undefined
  })
}

/** One more request on a limit, counted in batches under load (tally.ts). */
function admit(
  config: Config,
  spec: string,
  prefix: string,
  key: string,
  later: (p: Promise<void>) => void,
) {
  const limiter = limiterOf(config, spec, prefix)
  if (!limiter) return undefined
  const id = `${prefix} ${spec} ${config.UPSTASH_REDIS_REST_URL} ${key}`
  return tallies.admit(id, (n) => count(limiter, key, n), later)
}

const retryAfterOf = (r: Verdict) => Math.max(1, Math.ceil((r.reset - Date.now()) / 1000))

function refuse(r: Verdict | undefined, why: (retryAfter: number) => string, limit?: LimitName) {
  if (!r || r.success) return
  const retryAfter = retryAfterOf(r)
  throw new ApiError(
    429,
    'rate_limited',
    why(retryAfter),
    { retry_after: retryAfter, ...(limit ? { limit, value: r.limit } : {}) },
    { 'Retry-After': String(retryAfter) },
  )
}

/**
 * `n` more uses of a per-window limit from the table (sessions_per_minute, …) for `key`; the
 * limit's 429 when spent. Given `later` (the Worker's waitUntil), single uses are counted in
 * batches as requests are (tally.ts): a busy creator pays no Redis round trip per use.
 */
export async function enforceRate(
  config: Config,
  name: LimitName,
  value: number,
  key: string,
  opts: { n?: number; later?: (p: Promise<void>) => void } = {},
): Promise<void> {
  const n = opts.n ?? 1
  const window = (LIMITS[name] as LimitSpec).windowSeconds ?? 60
  const spec = `${value}/${window}`
  const limiter = limiterOf(config, spec, `rl:${name}`)
  if (!limiter || n === 0) return
  const r =
    opts.later && n === 1
      ? await admit(config, spec, `rl:${name}`, key, opts.later)
      : await count(limiter, key, n)
  if (r && !r.success) throw overLimit(name, value, { used: n, retryAfter: retryAfterOf(r) })
}

/**
 * Counts the request against both limits; throws 429 when either is spent. `later` takes
 * the counts sent after the request is admitted (the Worker's waitUntil).
 */
export async function enforceRateLimits(
  config: Config,
  p: Principal,
  later: (p: Promise<void>) => void,
): Promise<void> {
  const [mine, tenant] = await Promise.all([
    admit(config, config.RATE_LIMIT_PER_PRINCIPAL, 'rl:p', `${p.tenantId}:${p.subject}`, later),
    admit(config, config.RATE_LIMIT_PER_TENANT, 'rl:t', p.tenantId, later),
  ])
  for (const [r, whose, limit] of [
    [mine, 'your', 'requests_per_principal'],
    [tenant, "your tenant's", 'requests_per_tenant'],
  ] as const) {
    refuse(
      r,
      (s) =>
        `Too many requests: ${whose} limit ${limit} is ${r?.limit} per window; retry in ${s} s`,
      limit,
    )
  }
}

/**
 * Password logins per username: the identity provider guards its users too, but this keeps a
 * guessing script from using CodeTether to hammer it.
 */
export async function enforceLoginLimit(config: Config, username: string): Promise<void> {
  // Counted one by one: a guessing script gets no batch's grace.
  const limiter = limiterOf(config, '10/60', 'rl:login')
  const r = limiter && (await count(limiter, username.toLowerCase()))
  refuse(r, (s) => `Too many login attempts for this user; retry in ${s} s`)
}
