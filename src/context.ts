import type { Context } from 'hono'
import type { RequestIdVariables } from 'hono/request-id'
import type { Principal } from './auth/principal'
import { type Config, configOf, type Env } from './env'
import { ApiError } from './lib/errors'
import { databaseOf } from './storage/postgres/client'
import { redisOf } from './storage/redis/client'

export type AppEnv = {
  Bindings: Env
  Variables: RequestIdVariables & { principal: Principal }
}

export type AppContext = Context<AppEnv>

export function configOfContext(c: AppContext): Config {
  try {
    return configOf(c.env)
  } catch (err) {
    throw new ApiError(503, 'misconfigured', (err as Error).message)
  }
}

export const dbOf = (c: AppContext) => databaseOf(configOfContext(c))
export const redisOfContext = (c: AppContext) => redisOf(configOfContext(c))

export function principalOf(c: AppContext): Principal {
  const principal = c.get('principal')
  if (!principal) throw new Error('principal read on a route without requirePrincipal()')
  return principal
}
