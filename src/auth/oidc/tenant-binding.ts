/**
 * Which tenant a verified token enters. The issuer a tenant is bound to wins over any tenant
 * claim: with several trusted issuers, a claim is something the issuer asserts, and an issuer
 * must not be able to assert its way into a tenant that trusts only another issuer.
 *
 * - The issuer is bound to tenant T: its tokens enter T. A claim naming any other tenant
 *   (or none that exists) is refused, not redirected, so a misconfigured realm is noticed.
 * - The issuer is bound to no tenant: the claim names the tenant, and that tenant must be
 *   unbound too. A bound tenant is entered only by its own issuer's tokens.
 */
import type { JWTPayload } from 'jose'
import { z } from 'zod'
import type { Config } from '../../env'
import { ApiError } from '../../lib/errors'
import type { Database } from '../../storage/postgres/client'
import { TtlCache } from '../ttl-cache'
import { tenantSlugOf } from './claims'

const Facts = z.object({
  bound_id: z.string().nullable(),
  named_id: z.string().nullable(),
  named_issuer: z.string().nullable(),
})
type Facts = z.infer<typeof Facts>

const NO_FACTS: Facts = { bound_id: null, named_id: null, named_issuer: null }
const facts = new TtlCache<Facts>(60_000)

async function factsOf(db: Database, iss: string, slug: string | undefined): Promise<Facts> {
  const key = `${iss} ${slug ?? ''}`
  const hit = facts.get(key)
  if (hit) return hit
  const [row] = (await db.sql.query('select * from app.tenant_for_login($1, $2)', [
    iss,
    slug || null,
  ])) as unknown[]
  const found = row === undefined ? NO_FACTS : Facts.parse(row)
  facts.set(key, found)
  return found
}

const refuse = (code: string, message: string) => new ApiError(403, code, message)

/** The tenant a verified token belongs to, by the rule above; a 403 saying why otherwise. */
export async function tenantOf(db: Database, config: Config, payload: JWTPayload): Promise<string> {
  const iss = payload.iss ?? ''
  const slug = tenantSlugOf(config, payload)
  const f = await factsOf(db, iss, slug)
  const claim = config.OIDC_TENANT_CLAIM
  if (f.bound_id) {
    if (slug && f.named_id !== f.bound_id) {
      throw refuse(
        'tenant_issuer_mismatch',
        `Tokens of ${iss} enter only the tenant bound to that issuer; the token's ${claim} claim names another tenant`,
      )
    }
    return f.bound_id
  }
  if (slug === undefined) throw refuse('no_tenant', `No tenant is bound to the issuer ${iss}`)
  if (!f.named_id) throw refuse('no_tenant', `No tenant matches the token's ${claim} claim`)
  if (f.named_issuer) {
    throw refuse(
      'tenant_issuer_mismatch',
      `The tenant the token's ${claim} claim names accepts only tokens of the identity provider it is bound to`,
    )
  }
  return f.named_id
}
