/**
 * A key never holds more than its creator, in permissions, not just in role: otherwise a key
 * narrowed to `keys:write` could mint a key with `*` and so widen itself. What a credential
 * may do is what its roles grant AND its scopes allow; a new key's must be a subset of that.
 */
import { ApiError } from '../lib/errors'
import { PERMISSIONS, type Permission, rolesGrant, scopesAllow } from './permissions'
import type { Principal, Role } from './principal'

/** Every permission the roles grant and the scopes allow (the operator's `platform:` aside). */
export function effectivePermissions(roles: readonly Role[], scopes: readonly string[]) {
  return PERMISSIONS.filter(
    (p) => !p.startsWith('platform:') && rolesGrant(roles, p) && scopesAllow(scopes, p),
  )
}

/**
 * The scopes a new key of `role` gets: those asked for, each refused (403 naming it) if it
 * would grant the key a permission its creator lacks; none asked for (or an empty list,
 * which a stored key reads as `*`) means the creator's own scopes, never a wider `*`.
 */
export function cappedScopes(
  creator: Principal,
  role: Role,
  asked: string[] | undefined,
): string[] {
  const scopes = asked?.length ? asked : creator.scopes
  const mine = new Set<Permission>(effectivePermissions(creator.roles, creator.scopes))
  for (const scope of scopes) {
    const beyond = effectivePermissions([role], [scope]).filter((p) => !mine.has(p))
    if (beyond.length) {
      throw new ApiError(
        403,
        'forbidden',
        `A key cannot hold more than its creator: the scope ${scope} would grant ${beyond.join(', ')}, which your credentials do not`,
        { scope, permissions: beyond },
      )
    }
  }
  return scopes
}
