/**
 * The limits in force for a tenant: the table's defaults, moved by the operator (LIMITS,
 * RATE_LIMIT_*, MAX_BODY_BYTES) and then by the tenant's admins within the operator's maxima.
 * A tenant's own values are read at most every few seconds per isolate: enforcing a limit
 * costs no extra round trip on the hot paths.
 */
import { eq, sql } from 'drizzle-orm'
import type { Config } from '../../env'
import { badRequest } from '../../lib/errors'
import { tenants } from '../../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'
import { LIMIT_NAMES, LIMITS, type LimitName, type LimitSpec, type Limits } from './table'

/** How long a tenant's own values are trusted without reading them again. */
const FRESH_MS = 5_000
const cache = new Map<string, { at: number; own: Record<string, number> }>()

const count = (spec: string) => Number(spec.split('/')[0])
const windowOf = (spec: string) => Number(spec.split('/')[1] ?? 0) || undefined

/** The request-rate limits the operator sets as `count/seconds` (RATE_LIMIT_*). */
const RATE_SETTINGS: Partial<
  Record<LimitName, 'RATE_LIMIT_PER_PRINCIPAL' | 'RATE_LIMIT_PER_TENANT'>
> = {
  requests_per_principal: 'RATE_LIMIT_PER_PRINCIPAL',
  requests_per_tenant: 'RATE_LIMIT_PER_TENANT',
}

type Bounds = { default: number; max: number }

/** Per configuration (one per isolate): the operator's bounds do not change while it runs. */
const operatorCache = new WeakMap<Config, Record<LimitName, Bounds>>()

/** The operator's default and maximum for each limit. */
export function operatorBounds(config: Config, name: LimitName): Bounds {
  let all = operatorCache.get(config)
  if (!all) {
    all = {} as Record<LimitName, Bounds>
    for (const limit of LIMIT_NAMES) all[limit] = boundsOf(config, limit)
    operatorCache.set(config, all)
  }
  return all[name]
}

function boundsOf(config: Config, name: LimitName): Bounds {
  const spec: LimitSpec = LIMITS[name]
  const set = config.LIMITS[name]
  const rate = RATE_SETTINGS[name]
  const fromEnv = name === 'body_bytes' ? config.MAX_BODY_BYTES : rate && count(config[rate])
  const max = typeof set === 'object' && set.max !== undefined ? set.max : spec.max
  const given = typeof set === 'number' ? set : set?.default
  return { default: given ?? fromEnv ?? spec.default, max: Math.max(max, given ?? 0) }
}

async function ownValues(t: Tenancy): Promise<Record<string, number>> {
  const hit = cache.get(t.tenantId)
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.own
  const rows = await tenantQuery(t, (db) =>
    db.select({ limits: tenants.limits }).from(tenants).where(eq(tenants.id, t.tenantId)),
  )
  const own = rows[0]?.limits ?? {}
  if (cache.size > 10_000) cache.clear()
  cache.set(t.tenantId, { at: Date.now(), own })
  return own
}

function effective(config: Config, own: Record<string, number>): Limits {
  const out = {} as Limits
  for (const name of LIMIT_NAMES) {
    const bounds = operatorBounds(config, name)
    const mine = (LIMITS[name] as LimitSpec).operatorOnly ? undefined : own[name]
    out[name] = typeof mine === 'number' ? Math.min(mine, bounds.max) : bounds.default
  }
  return out
}

/** The limits worked out from a tenant's values as read (kept as long as that read is). */
const computed = new WeakMap<Record<string, number>, { config: Config; limits: Limits }>()

/** The limits in force for the scope's tenant. */
export async function limitsOf(scope: Pick<Scope, 'db' | 'config' | 'tenantId'>): Promise<Limits> {
  const own = await ownValues(scope)
  const hit = computed.get(own)
  if (hit?.config === scope.config) return hit.limits
  const limits = effective(scope.config, own)
  computed.set(own, { config: scope.config, limits })
  return limits
}

/** Settings' view: each limit with its value, default, maximum and who set it. */
export async function describeLimits(scope: Scope) {
  const own = await ownValues(scope)
  const values = effective(scope.config, own)
  return LIMIT_NAMES.map((name) => {
    const spec: LimitSpec = LIMITS[name]
    const bounds = operatorBounds(scope.config, name)
    const rate = RATE_SETTINGS[name]
    const window = rate ? windowOf(scope.config[rate]) : spec.windowSeconds
    const setBy: 'tenant' | 'default' = !spec.operatorOnly && name in own ? 'tenant' : 'default'
    return {
      name,
      description: spec.description,
      per: spec.per,
      kind: spec.kind,
      unit: spec.unit,
      ...(window ? { window_seconds: window } : {}),
      ...(spec.routes ? { routes: spec.routes } : {}),
      value: values[name],
      default: bounds.default,
      max: bounds.max,
      editable: !spec.operatorOnly,
      set_by: setBy,
    }
  })
}

/**
 * An admin's change: each name to a value within its maximum, or null for the default.
 * Operator-only limits are refused by name, as are values over the maximum.
 */
export async function setLimits(scope: Scope, change: Record<string, number | null>) {
  const problems: { path: string; message: string }[] = []
  for (const [name, value] of Object.entries(change)) {
    const spec = LIMITS[name as LimitName] as LimitSpec | undefined
    if (!spec) problems.push({ path: name, message: 'no such limit' })
    else if (spec.operatorOnly) problems.push({ path: name, message: 'set by the operator' })
    else if (value !== null) {
      const { max } = operatorBounds(scope.config, name as LimitName)
      if (value > max) problems.push({ path: name, message: `at most ${max} ${spec.unit}` })
    }
  }
  if (problems.length) throw badRequest('Some limits cannot be set so', problems)
  const set = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== null))
  const reset = Object.keys(change).filter((k) => change[k] === null)
  await tenantQuery(scope, (db) =>
    db
      .update(tenants)
      .set({
        limits: sql`(${tenants.limits} - array(select jsonb_array_elements_text(${JSON.stringify(reset)}::jsonb))) || ${JSON.stringify(set)}::jsonb`,
        updatedAt: sql`now()`,
      })
      .where(eq(tenants.id, scope.tenantId)),
  )
  cache.delete(scope.tenantId)
  return describeLimits(scope)
}
