/** Who is calling, resolved once per request by the auth middleware; handlers only read it. */
export type Role = 'admin' | 'member' | 'viewer' | 'worker'

export interface Principal {
  kind: 'dev' | 'static_token'
  tenantId: string
  /** Stable id of the caller within the tenant. */
  subject: string
  /** Human-readable name for logs and audit; never a secret. */
  name: string
  roles: Role[]
  scopes: string[]
}
