/** Tenants: the operator creates and lists them; an admin renames their own. */
import { eq, sql } from 'drizzle-orm'
import { notFound } from '../lib/errors'
import type { Database } from '../storage/postgres/client'
import { tenants } from '../storage/postgres/schema'
import { type Tenancy, tenantQuery } from '../storage/postgres/tenant'

interface TenantRow {
  id: string
  slug: string
  display_name: string
  oidc_issuer: string | null
  created_at: string | Date
}

const view = (t: TenantRow) => ({
  id: t.id,
  slug: t.slug,
  display_name: t.display_name,
  oidc_issuer: t.oidc_issuer,
  created_at: new Date(t.created_at).toISOString(),
})

export async function createTenant(
  db: Database,
  t: { slug: string; display_name: string; oidc_issuer?: string },
) {
  const [row] = (await db.sql.query(
    'select app.create_tenant($1, $2, gen_random_uuid(), $3) as id',
    [t.slug, t.display_name, t.oidc_issuer ?? null],
  )) as { id: string }[]
  if (!row) throw new Error('create_tenant returned nothing')
  return getTenant({ db, tenantId: row.id })
}

export async function listAllTenants(db: Database) {
  return ((await db.sql.query('select * from app.list_tenants()')) as TenantRow[]).map(view)
}

export async function getTenant(t: Tenancy) {
  const [row] = await tenantQuery(t, (db) => db.select().from(tenants))
  if (!row) throw notFound('Tenant')
  return view({
    id: row.id,
    slug: row.slug,
    display_name: row.displayName,
    oidc_issuer: row.oidcIssuer,
    created_at: row.createdAt,
  })
}

export async function renameTenant(t: Tenancy, displayName: string) {
  await tenantQuery(t, (db) =>
    db
      .update(tenants)
      .set({ displayName, updatedAt: sql`now()` })
      .where(eq(tenants.id, t.tenantId)),
  )
  return getTenant(t)
}
