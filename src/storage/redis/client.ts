import { Redis } from '@upstash/redis/cloudflare'
import type { Config } from '../../env'
import { ApiError } from '../../lib/errors'

const cache = new WeakMap<Config, Redis>()

/** Upstash over REST: locally the dev stack serves the same protocol in front of redis-server. */
export function redisOf(config: Config): Redis {
  let redis = cache.get(config)
  if (!redis) {
    if (!config.UPSTASH_REDIS_REST_URL || !config.UPSTASH_REDIS_REST_TOKEN) {
      throw new ApiError(503, 'redis_not_configured', 'UPSTASH_REDIS_REST_URL/TOKEN are not set')
    }
    redis = new Redis({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
      enableTelemetry: false,
      // The client's default (5 retries, exponential) can hold a request for seconds;
      // a request at the edge would rather fail fast and be retried by its caller.
      retry: { retries: 2, backoff: (n) => 25 * 2 ** n },
    })
    cache.set(config, redis)
  }
  return redis
}
