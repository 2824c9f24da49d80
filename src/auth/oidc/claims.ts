/** What a verified token says about its bearer: tenant lookup key, roles, identity. */
import type { JWTPayload } from 'jose'
import type { Config } from '../../env'
import type { Role } from '../principal'

const HUMAN = new Set<Role>(['admin', 'member', 'viewer', 'approver'])

/** A value at a dot path (`realm_access.roles`), as Keycloak nests its claims. */
function at(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload
  for (const key of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

export function rolesOf(config: Config, payload: JWTPayload): Role[] {
  const named = at(payload, config.OIDC_ROLES_CLAIM)
  const roles = (Array.isArray(named) ? named : []).filter((r): r is Role => HUMAN.has(r))
  return roles.length ? roles : [config.OIDC_DEFAULT_ROLE]
}

/** The tenant slug a configured claim names, or undefined (the issuer decides). */
export function tenantSlugOf(config: Config, payload: JWTPayload): string | undefined {
  if (!config.OIDC_TENANT_CLAIM) return undefined
  const v = at(payload, config.OIDC_TENANT_CLAIM)
  return typeof v === 'string' && v ? v : ''
}

export function identityOf(payload: JWTPayload) {
  const str = (k: string) => (typeof payload[k] === 'string' ? (payload[k] as string) : undefined)
  return {
    subject: payload.sub ?? '',
    email: str('email'),
    name: str('name') ?? str('preferred_username') ?? str('email') ?? payload.sub ?? 'user',
  }
}
