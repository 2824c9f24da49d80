import type { Principal } from '../../auth/principal'

/**
 * Whose share a per-principal limit counts: the person behind a key (whoever holds a key can
 * mint more, and must not multiply their share so; a key records its creator's user id, or
 * their subject when they have none), else the caller itself. A worker token is its worker's
 * own: the workers one admin made do not share one.
 */
export const accountOf = (p: Principal): string =>
  p.kind === 'worker_token' ? p.subject : (p.userId ?? p.subject)

/** The key of a per-principal rate limit: the account within its tenant. */
export const accountKey = (s: { tenantId: string; principal: Principal }): string =>
  `${s.tenantId}:${accountOf(s.principal)}`
