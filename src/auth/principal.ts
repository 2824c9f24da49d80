/** Who is calling, resolved once per request by the auth middleware; handlers only read it. */
export type Role = 'admin' | 'member' | 'viewer' | 'worker'

export interface Principal {
  /** `system`: the platform itself (the reaper, cron), acting inside one tenant. */
  kind: 'dev' | 'static_token' | 'system'
  tenantId: string
  /** Stable id of the caller within the tenant. */
  subject: string
  /** Human-readable name for logs and audit; never a secret. */
  name: string
  roles: Role[]
  scopes: string[]
}
