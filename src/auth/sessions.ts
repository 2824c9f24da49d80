/**
 * Login sessions: one per password-grant login (upstream's `session_id`) or browser login
 * (a cookie holding a random secret whose SHA-256 is stored). The identity provider's
 * refresh token is kept sealed, so logout can revoke it there too.
 */
import { and, eq, isNull } from 'drizzle-orm'
import type { Config } from '../env'
import { randomSecret, sha256Bytes } from '../lib/digest'
import { notFound } from '../lib/errors'
import { seal, unseal } from '../lib/seal'
import { authSessions } from '../storage/postgres/auth-schema'
import type { Database } from '../storage/postgres/client'
import { tenantQuery } from '../storage/postgres/tenant'
import type { TokenSet } from './oidc/grants'
import type { Principal, Role } from './principal'
import { SecretLookup } from './secret-lookup'

export interface Device {
  device_id?: string
  device_name?: string
  device_type?: string
}

type SessionRow = typeof authSessions.$inferSelect

export async function openSession(
  db: Database,
  config: Config,
  p: Principal,
  opts: { tokens: TokenSet; device?: Device; browser: boolean },
) {
  const ttl = Math.min(
    config.SESSION_TTL_SECONDS,
    opts.tokens.refresh_expires_in || config.SESSION_TTL_SECONDS,
  )
  const secret = opts.browser ? randomSecret(32) : undefined
  const refresh = opts.tokens.refresh_token
  const secretHash = secret ? await sha256Bytes(secret) : undefined
  const sealedRefreshToken =
    refresh && config.SECRETS_KEY ? await seal(config.SECRETS_KEY, refresh) : undefined
  const [row] = await tenantQuery({ db, tenantId: p.tenantId }, (db) =>
    db
      .insert(authSessions)
      .values({
        tenantId: p.tenantId,
        subject: p.subject,
        email: p.email,
        name: p.name,
        roles: p.roles,
        secretHash,
        sealedRefreshToken,
        deviceId: opts.device?.device_id,
        deviceName: opts.device?.device_name,
        deviceType: opts.device?.device_type,
        expiresAt: new Date(Date.now() + ttl * 1000),
      })
      .returning(),
  )
  if (!row) throw new Error('insert returned no row')
  return { session: describeSession(row), secret }
}

export function describeSession(s: SessionRow) {
  return {
    session_id: s.id,
    tenant_id: s.tenantId,
    user_id: s.subject,
    email: s.email,
    name: s.name,
    roles: s.roles,
    device_id: s.deviceId,
    device_name: s.deviceName,
    device_type: s.deviceType,
    created_at: s.createdAt,
    last_used_at: s.lastUsedAt,
    expires_at: s.expiresAt,
  }
}

interface CookieRow {
  tenant_id: string
  id: string
  subject: string
  email: string | null
  name: string | null
  roles: Role[]
}
const cookies = new SecretLookup<CookieRow>('app.authenticate_session')

/** The principal of a browser session cookie, or undefined if it is not a live session. */
export async function authenticateSession(
  db: Database,
  secret: string,
): Promise<Principal | undefined> {
  const row = await cookies.find(db, secret)
  if (!row) return undefined
  return {
    kind: 'session',
    tenantId: row.tenant_id,
    subject: row.subject,
    name: row.name ?? row.email ?? row.subject,
    email: row.email ?? undefined,
    userId: row.subject,
    roles: row.roles,
    scopes: ['*'],
    sessionId: row.id,
  }
}

/** One of the caller's own sessions (a session id of someone else is "not found"). */
export async function sessionOf(db: Database, p: Principal, id: string) {
  const [row] = await tenantQuery({ db, tenantId: p.tenantId }, (db) =>
    db
      .select()
      .from(authSessions)
      .where(and(eq(authSessions.id, id), eq(authSessions.subject, p.subject))),
  )
  if (!row || row.revokedAt) throw notFound('Session')
  return row
}

/** Ends a session; returns its refresh token (unsealed) so the provider can revoke it too. */
export async function endSession(
  db: Database,
  config: Config,
  p: Principal,
  id: string,
): Promise<string | undefined> {
  const [row] = await tenantQuery({ db, tenantId: p.tenantId }, (db) =>
    db
      .update(authSessions)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(authSessions.id, id),
          eq(authSessions.subject, p.subject),
          isNull(authSessions.revokedAt),
        ),
      )
      .returning(),
  )
  if (!row) throw notFound('Session')
  cookies.forget((s) => s.id === id)
  if (!row.sealedRefreshToken || !config.SECRETS_KEY) return undefined
  return unseal(config.SECRETS_KEY, row.sealedRefreshToken).catch(() => undefined)
}
