/** drizzle mirror of migrations/0007_auth.sql: members, login sessions, the audit log. */
import { bigint, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { bytea, createdAt, tenantId, ts } from './columns'

export const tenantMembers = pgTable(
  'tenant_members',
  {
    tenantId: tenantId(),
    subject: text('subject').notNull(),
    email: text('email'),
    name: text('name'),
    roles: text('roles').array().notNull().default([]),
    firstSeenAt: ts('first_seen_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.subject] })],
)

export const authSessions = pgTable(
  'auth_sessions',
  {
    tenantId: tenantId(),
    id: uuid('id').notNull().defaultRandom(),
    subject: text('subject').notNull(),
    email: text('email'),
    name: text('name'),
    roles: text('roles').array().notNull().default([]),
    secretHash: bytea('secret_hash').unique(),
    sealedRefreshToken: text('sealed_refresh_token'),
    deviceId: text('device_id'),
    deviceName: text('device_name'),
    deviceType: text('device_type'),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)

export const auditLog = pgTable(
  'audit_log',
  {
    tenantId: tenantId(),
    id: bigint('id', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    at: ts('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    requestId: text('request_id'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
)
