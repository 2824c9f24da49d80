/** Enforces the permission tables: 403 naming the missing permission, and an audit entry. */

import type { AppContext } from '../context'
import { dbOf } from '../context'
import { audit } from '../domain/audit/log'
import { ApiError } from '../lib/errors'
import { can, type Permission } from './permissions'
import type { Principal } from './principal'

export function requirePermission(c: AppContext, p: Principal, permission: Permission): void {
  if (can(p, permission)) return
  audit({ db: dbOf(c), waitUntil: (w) => c.executionCtx.waitUntil(w) }, p.tenantId, {
    action: 'permission_denied',
    actor: p,
    target: `${c.req.method} ${c.req.path}`,
    detail: { permission },
    requestId: c.get('requestId'),
  })
  throw new ApiError(
    403,
    'forbidden',
    `This needs the permission ${permission}, which your credentials do not grant`,
    { permission },
  )
}
