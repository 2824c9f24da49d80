import { OpenAPIHono, z } from '@hono/zod-openapi'
import { cappedScopes } from '../../auth/key-scopes'
import { createKey, type KeyKind, listKeys, revokeKey } from '../../auth/keys'
import { can, HUMAN_ROLES, isScope } from '../../auth/permissions'
import type { Principal, Role } from '../../auth/principal'
import { type AppContext, type AppEnv, principalOf } from '../../context'
import { forbidden, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import {
  ApiKey,
  ApiKeyCreated,
  ApiKeyRevoked,
  WorkerTokenCreated,
  WorkerTokenRevoked,
} from './schemas/key'
import { auditRequest, scopeOf } from './scope'

/** /v1/auth/api-keys (people's scripts) and /v1/auth/worker-tokens (agent workers). */
export const keysApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const Expiry = {
  expires_at: z.iso.datetime({ offset: true }).optional(),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
}
const NewApiKey = z
  .object({
    name: z.string().min(1).max(200),
    role: z.enum(HUMAN_ROLES).optional(),
    scopes: z
      .array(z.string().refine(isScope, 'not a permission, resource:* or *'))
      .max(50)
      // Absent: the creator's own scopes (see cappedScopes), so a narrowed key stays narrow.
      .optional(),
    ...Expiry,
  })
  .openapi('NewApiKey')
const NewWorkerToken = z
  .object({
    name: z.string().min(1).max(200),
    /** The one worker this token speaks for; left out, the first worker to register with it. */
    worker_id: z.string().min(1).max(200).optional(),
    ...Expiry,
  })
  .openapi('NewWorkerToken')
const Id = z.object({ id: z.uuid() })

const rank = (role: string) => HUMAN_ROLES.indexOf(role as (typeof HUMAN_ROLES)[number])
const strongest = (p: Principal) => HUMAN_ROLES[Math.max(...p.roles.map(rank), 0)] ?? 'viewer'

function expiry(b: { expires_at?: string; expires_in_days?: number }): Date | undefined {
  if (b.expires_at) return new Date(b.expires_at)
  if (b.expires_in_days) return new Date(Date.now() + b.expires_in_days * 86_400_000)
  return undefined
}

/** A person manages their own keys; an admin (keys:admin) everyone's. */
const ownerFilter = (p: Principal) => (can(p, 'keys:admin') ? undefined : (p.userId ?? p.subject))

function auditKey(
  c: AppContext,
  action: 'key_created' | 'key_revoked',
  key: { id: string; kind: string; name: string },
) {
  auditRequest(c, { action, target: key.id, detail: { kind: key.kind, name: key.name } })
}

async function issue(
  c: AppContext,
  kind: KeyKind,
  b: z.infer<typeof NewWorkerToken> & { role?: string; scopes?: string[] },
) {
  const p = principalOf(c)
  const own = strongest(p)
  // Keys hold the worker role or a human one (never approver: approving is a person's act).
  const role: Exclude<Role, 'approver'> =
    kind === 'worker' ? 'worker' : ((b.role ?? own) as (typeof HUMAN_ROLES)[number])
  if (kind === 'api' && rank(role) > rank(own)) {
    throw forbidden(
      `A key cannot hold more than its creator: you are ${own}, the key asks for ${role}`,
    )
  }
  // A worker token is the worker role unnarrowed: its creator must hold all of that role.
  const scopes = cappedScopes(p, role, kind === 'worker' ? ['*'] : b.scopes)
  const { secret, key } = await createKey(scopeOf(c), {
    kind,
    name: b.name,
    role,
    scopes,
    expiresAt: expiry(b),
    userId: p.userId ?? p.subject,
    workerId: kind === 'worker' ? b.worker_id : undefined,
  })
  auditKey(c, 'key_created', key)
  // The secret goes into the creator's reply and nowhere else, ever.
  return { key, secret }
}

keysApi.openapi(route('post', '/api-keys', body(NewApiKey), ApiKeyCreated), async (c) => {
  const { key, secret } = await issue(c, 'api', c.req.valid('json'))
  return c.json({ ...key, key: secret }, 200)
})
keysApi.openapi(route('get', '/api-keys', undefined, z.array(ApiKey)), async (c) => {
  const p = principalOf(c)
  return c.json(await listKeys(scopeOf(c), 'api', ownerFilter(p)), 200)
})
keysApi.openapi(route('delete', '/api-keys/{id}', { params: Id }, ApiKeyRevoked), async (c) => {
  const p = principalOf(c)
  const key = await revokeKey(scopeOf(c), 'api', c.req.valid('param').id, ownerFilter(p))
  auditKey(c, 'key_revoked', key)
  return c.json({ success: true as const, key }, 200)
})

keysApi.openapi(
  route('post', '/worker-tokens', body(NewWorkerToken), WorkerTokenCreated),
  async (c) => {
    const { key, secret } = await issue(c, 'worker', c.req.valid('json'))
    return c.json({ ...key, token: secret }, 200)
  },
)
keysApi.openapi(route('get', '/worker-tokens', undefined, z.array(ApiKey)), async (c) =>
  c.json(await listKeys(scopeOf(c), 'worker'), 200),
)
keysApi.openapi(
  route('delete', '/worker-tokens/{id}', { params: Id }, WorkerTokenRevoked),
  async (c) => {
    const key = await revokeKey(scopeOf(c), 'worker', c.req.valid('param').id)
    auditKey(c, 'key_revoked', key)
    return c.json({ success: true as const, token: key }, 200)
  },
)
