/**
 * API keys (`ct_…`, for people's scripts) and worker tokens (`ctw_…`, for agent workers):
 * random secrets shown once, stored as SHA-256, looked up by that hash.
 */
import { and, desc, eq, isNull } from 'drizzle-orm'
import { randomSecret, sha256Bytes } from '../lib/digest'
import { notFound } from '../lib/errors'
import type { Database } from '../storage/postgres/client'
import { apiKeys } from '../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../storage/postgres/tenant'
import type { Principal, Role } from './principal'
import { SecretLookup } from './secret-lookup'

export type KeyKind = 'api' | 'worker'
const PREFIX: Record<KeyKind, string> = { api: 'ct_', worker: 'ctw_' }

export const looksLikeKey = (token: string) => token.startsWith('ct_') || token.startsWith('ctw_')

interface KeyRow {
  tenant_id: string
  id: string
  name: string
  user_id: string | null
  kind: KeyKind
  role: Role
  scopes: string[]
  worker_id: string | null
}

const lookups = new SecretLookup<KeyRow>('app.authenticate_key')

/** The principal a key or worker token stands for, or undefined if it is not a live key. */
export async function authenticateKey(db: Database, token: string): Promise<Principal | undefined> {
  const row = await lookups.find(db, token)
  if (!row) return undefined
  return {
    kind: row.kind === 'worker' ? 'worker_token' : 'api_key',
    tenantId: row.tenant_id,
    subject: `key:${row.id}`,
    name: row.name,
    roles: [row.role],
    scopes: row.scopes.length ? row.scopes : ['*'],
    userId: row.user_id ?? undefined,
    workerId: row.worker_id ?? undefined,
  }
}

export interface NewKey {
  kind: KeyKind
  name: string
  /** People's keys hold a human role (approving is a person's act, never a key's role). */
  role: Exclude<Role, 'approver'>
  scopes: string[]
  expiresAt?: Date
  userId?: string
  /** A worker token made for one worker (else bound by the first that registers). */
  workerId?: string
}

export async function createKey(t: Tenancy, spec: NewKey) {
  const secret = `${PREFIX[spec.kind]}${randomSecret(32)}`
  const keyHash = await sha256Bytes(secret)
  const [row] = await tenantQuery(t, (db) =>
    db
      .insert(apiKeys)
      .values({
        tenantId: t.tenantId,
        name: spec.name,
        kind: spec.kind,
        role: spec.role,
        scopes: spec.scopes,
        expiresAt: spec.expiresAt,
        userId: spec.userId,
        workerId: spec.workerId,
        keyHash,
        keyPrefix: secret.slice(0, PREFIX[spec.kind].length + 6),
      })
      .returning(),
  )
  if (!row) throw new Error('insert returned no row')
  return { secret, key: describeKey(row) }
}

type KeyRecord = typeof apiKeys.$inferSelect

/** What listing shows: never the hash. */
export function describeKey(k: KeyRecord) {
  return {
    id: k.id,
    name: k.name,
    kind: k.kind,
    key_prefix: k.keyPrefix,
    role: k.role,
    scopes: k.scopes.length ? k.scopes : ['*'],
    user_id: k.userId,
    ...(k.kind === 'worker' ? { worker_id: k.workerId } : {}),
    created_at: k.createdAt,
    last_used_at: k.lastUsedAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
  }
}

/** Live and revoked keys of one kind; `userId` limits it to that person's own. */
export async function listKeys(t: Tenancy, kind: KeyKind, userId?: string) {
  const rows = await tenantQuery(t, (db) =>
    db
      .select()
      .from(apiKeys)
      .where(
        and(eq(apiKeys.kind, kind), userId === undefined ? undefined : eq(apiKeys.userId, userId)),
      )
      .orderBy(desc(apiKeys.createdAt)),
  )
  return rows.map(describeKey)
}

/** Revokes at once in this isolate; other isolates stop honouring it within the cache TTL. */
export async function revokeKey(t: Tenancy, kind: KeyKind, id: string, userId?: string) {
  const [row] = await tenantQuery(t, (db) =>
    db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiKeys.id, id),
          eq(apiKeys.kind, kind),
          isNull(apiKeys.revokedAt),
          userId === undefined ? undefined : eq(apiKeys.userId, userId),
        ),
      )
      .returning(),
  )
  if (!row) throw notFound(kind === 'worker' ? 'Worker token' : 'API key')
  forgetKey(id)
  return describeKey(row)
}

/** Drops a key's cached lookup in this isolate (revoked, or bound to its worker). */
export const forgetKey = (id: string) => lookups.forget((k) => k.id === id)
