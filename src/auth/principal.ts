/** The roles a principal may hold. */
export const ROLES = ['admin', 'member', 'viewer', 'approver', 'worker'] as const
export type Role = (typeof ROLES)[number]

/**
 * How a caller proves who it is. `system`: the platform itself (the reaper, cron), acting
 * inside one tenant.
 */
export const PRINCIPAL_KINDS = [
  'dev',
  'static_token',
  'oidc',
  'session',
  'api_key',
  'worker_token',
  'system',
] as const

/** Who is calling, resolved once per request by the auth middleware; handlers only read it. */
export interface Principal {
  kind: (typeof PRINCIPAL_KINDS)[number]
  tenantId: string
  /** Stable id of the caller within the tenant (the IdP's `sub`, `key:<id>`, `token:<name>`). */
  subject: string
  /** Human-readable name for logs and audit; never a secret. */
  name: string
  roles: Role[]
  /** Permissions (or `resource:*`, `*`) this credential is limited to, on top of its roles. */
  scopes: string[]
  /** The person behind an API key or session, when there is one. */
  userId?: string
  email?: string
  /** A worker token's own worker, once named or bound: the only worker it may speak for. */
  workerId?: string
  /** The login session this request belongs to (cookie or password-grant session). */
  sessionId?: string
}
