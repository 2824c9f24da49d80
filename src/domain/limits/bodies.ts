/**
 * Which body limit covers a request path: the table's body_bytes_* entries name their routes
 * (`*` is one path segment); any other path takes body_bytes. Checked before the caller is
 * known, so these are the operator's values alone.
 */
import type { Config } from '../../env'
import { operatorBounds } from './settings'
import { LIMIT_NAMES, LIMITS, type LimitName, type LimitSpec } from './table'

const routed = LIMIT_NAMES.flatMap((name) =>
  ((LIMITS[name] as LimitSpec).routes ?? []).map((route) => ({ name, parts: route.split('/') })),
)

function matches(pattern: string[], path: string[]) {
  return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i])
}

export function bodyLimitOf(config: Config, path: string): { name: LimitName; max: number } {
  const parts = path.replace(/\/+$/, '').split('/')
  const name = routed.find((r) => matches(r.parts, parts))?.name ?? 'body_bytes'
  return { name, max: operatorBounds(config, name).default }
}
