/**
 * Every bound the server puts on what a tenant, a principal or a request may use, in one
 * table: what it counts, its default, the most a tenant's admin may set, and how it answers
 * when spent. Code that enforces a bound names it here and refuses with `overLimit`, so each
 * refusal is a 429 or 413 that says which limit and how much (Settings shows the same list).
 *
 * Defaults are chosen well above what a team uses; the maxima protect the shared server and
 * its other tenants, so only the operator moves them (LIMITS, see env.ts).
 */
import { ApiError } from '../../lib/errors'

/** Whose use a limit counts. */
export const LIMIT_PERS = [
  'tenant',
  'principal',
  'task',
  'line',
  'agent',
  'prompt',
  'request',
] as const
/** count: how many may exist; rate: how many per window; size: bytes; open: at once. */
export const LIMIT_KINDS = ['count', 'rate', 'size', 'open'] as const

export interface LimitSpec {
  per: (typeof LIMIT_PERS)[number]
  kind: (typeof LIMIT_KINDS)[number]
  unit: string
  default: number
  /** The most a tenant's admin may set. */
  max: number
  description: string
  windowSeconds?: number
  /** Checked before the request's tenant is known: the operator's to set, not a tenant's. */
  operatorOnly?: true
  /** For a body bound: the routes it covers (paths as in the route table, `*` any segment). */
  routes?: readonly string[]
}

const KiB = 1024
const MiB = 1024 * KiB

export const LIMITS = {
  cron_jobs: {
    per: 'tenant',
    kind: 'count',
    unit: 'jobs',
    default: 100,
    max: 10_000,
    description: 'Cron jobs a tenant may have',
  },
  tasks_per_minute: {
    per: 'tenant',
    kind: 'rate',
    unit: 'tasks',
    windowSeconds: 60,
    default: 1_000,
    max: 100_000,
    description: 'Tasks the tenant creates per minute, cron runs included',
  },
  tasks_per_minute_per_principal: {
    per: 'principal',
    kind: 'rate',
    unit: 'tasks',
    windowSeconds: 60,
    default: 200,
    max: 100_000,
    description: 'Tasks one user, key or the scheduler creates per minute',
  },
  prompt_bytes: {
    per: 'prompt',
    kind: 'size',
    unit: 'bytes',
    default: 256 * KiB,
    max: MiB,
    description: 'Size of one task prompt or cron job prompt template',
  },
  open_streams_per_principal: {
    per: 'principal',
    kind: 'open',
    unit: 'streams',
    default: 20,
    max: 500,
    description: 'Event streams (SSE) one user, key or worker holds open at once',
  },
  open_streams_per_tenant: {
    per: 'tenant',
    kind: 'open',
    unit: 'streams',
    default: 200,
    max: 5_000,
    description: "Event streams (SSE) open at once across the tenant's users, keys and workers",
  },
  output_line_bytes: {
    per: 'line',
    kind: 'size',
    unit: 'bytes',
    default: 128 * KiB,
    max: MiB,
    description: 'Size of one line of task output',
  },
  task_output_bytes: {
    per: 'task',
    kind: 'size',
    unit: 'bytes',
    default: 32 * MiB,
    max: 1024 * MiB,
    description: 'Output stored for one task, all its attempts together',
  },
  agents: {
    per: 'tenant',
    kind: 'count',
    unit: 'agents',
    default: 200,
    max: 10_000,
    description: 'Agents registered on the bus at once',
  },
  agent_card_bytes: {
    per: 'agent',
    kind: 'size',
    unit: 'bytes',
    default: 16 * KiB,
    max: 256 * KiB,
    description: "Size of one bus agent's description and capabilities",
  },
  sessions_per_minute: {
    per: 'principal',
    kind: 'rate',
    unit: 'sessions',
    windowSeconds: 60,
    default: 2_000,
    max: 100_000,
    description: 'Sessions one worker or user syncs or ingests per minute',
  },
  body_bytes: {
    per: 'request',
    kind: 'size',
    unit: 'bytes',
    default: MiB,
    max: 64 * MiB,
    operatorOnly: true,
    description: 'Request body, any route not named below (MAX_BODY_BYTES)',
  },
  body_bytes_auth: {
    per: 'request',
    kind: 'size',
    unit: 'bytes',
    default: 16 * KiB,
    max: MiB,
    operatorOnly: true,
    routes: ['/v1/auth/*'],
    description: 'Request body of a login, logout or key request',
  },
  body_bytes_registration: {
    per: 'request',
    kind: 'size',
    unit: 'bytes',
    default: 256 * KiB,
    max: 16 * MiB,
    operatorOnly: true,
    routes: [
      '/v1/agent/workers/register',
      '/v1/agent/workers/*/heartbeat',
      '/v1/agents',
      '/v1/agents/remote',
      '/v1/agents/*/heartbeat',
    ],
    description: 'Request body registering a worker or a bus agent',
  },
  body_bytes_sessions: {
    per: 'request',
    kind: 'size',
    unit: 'bytes',
    default: 8 * MiB,
    max: 64 * MiB,
    operatorOnly: true,
    routes: [
      '/v1/agent/codebases/*/sessions/sync',
      '/v1/agent/codebases/*/sessions/*/messages/sync',
      '/v1/agent/codebases/*/sessions/*/ingest',
      '/v1/agent/workspaces/*/sessions/sync',
      '/v1/agent/workspaces/*/sessions/*/messages/sync',
      '/v1/agent/workspaces/*/sessions/*/ingest',
    ],
    description: 'Request body syncing or ingesting sessions',
  },
  requests_per_principal: {
    per: 'principal',
    kind: 'rate',
    unit: 'requests',
    default: 1200,
    max: 1_000_000,
    operatorOnly: true,
    description: 'API requests one user, key or worker makes per window (RATE_LIMIT_PER_PRINCIPAL)',
  },
  requests_per_tenant: {
    per: 'tenant',
    kind: 'rate',
    unit: 'requests',
    default: 12_000,
    max: 10_000_000,
    operatorOnly: true,
    description: 'API requests the whole tenant makes per window (RATE_LIMIT_PER_TENANT)',
  },
} as const satisfies Record<string, LimitSpec>

export type LimitName = keyof typeof LIMITS
export const LIMIT_NAMES = Object.keys(LIMITS) as LimitName[]

/** Effective values, by name. */
export type Limits = Record<LimitName, number>

/**
 * The refusal of a spent limit: 413 for a size, 429 for the rest, naming it with its value and
 * where to change it. `used` says how much was asked or is in use, when known.
 */
export function overLimit(
  name: LimitName,
  value: number,
  extra: { used?: number; retryAfter?: number; what?: string } = {},
): ApiError {
  const spec: LimitSpec = LIMITS[name]
  const size = spec.kind === 'size'
  const where = spec.operatorOnly ? 'set by the operator' : 'an admin can change it in Settings'
  const window = spec.windowSeconds ? ` per ${spec.windowSeconds} s` : ''
  const message = `${extra.what ?? spec.description}: limit ${name} is ${value} ${spec.unit}${window}${
    extra.used === undefined ? '' : ` (${extra.used} asked)`
  }; ${where}`
  const details = {
    limit: name,
    value,
    unit: spec.unit,
    per: spec.per,
    ...(extra.used === undefined ? {} : { used: extra.used }),
    ...(extra.retryAfter === undefined ? {} : { retry_after: extra.retryAfter }),
  }
  const headers =
    extra.retryAfter === undefined ? undefined : { 'Retry-After': String(extra.retryAfter) }
  return new ApiError(
    size ? 413 : 429,
    size ? 'payload_too_large' : 'limit_exceeded',
    message,
    details,
    headers,
  )
}

const encoder = new TextEncoder()

/** UTF-8 bytes of a string (what Postgres stores and a body carries). */
export const byteLength = (s: string) => encoder.encode(s).byteLength

/** Throws the limit's 413 when `s` is over it. */
export function assertSize(name: LimitName, value: number, s: string, what?: string): void {
  // A string is at most 3 bytes per UTF-16 unit: skip encoding the common short case.
  if (s.length * 3 <= value) return
  const used = byteLength(s)
  if (used > value) throw overLimit(name, value, { used, what })
}
