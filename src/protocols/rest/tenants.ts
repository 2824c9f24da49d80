import { OpenAPIHono, z } from '@hono/zod-openapi'
import { listMembers } from '../../auth/members'
import { createTenant, getTenant, listAllTenants, renameTenant } from '../../auth/tenants'
import { type AppEnv, dbOf } from '../../context'
import { validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import { Tenant, TenantMember } from './schemas/tenant'
import { auditRequest, scopeOf } from './scope'

/** /v1/tenants: the operator's list and create; a tenant's own view, rename and members. */
export const tenantsApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const NewTenant = z
  .object({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -'),
    display_name: z.string().min(1).max(200),
    /** The issuer (e.g. a Keycloak realm) whose tokens belong to this tenant. */
    oidc_issuer: z.url().max(500).optional(),
  })
  .openapi('NewTenant')
const Rename = z.object({ display_name: z.string().min(1).max(200) }).openapi('RenameTenant')

tenantsApi.openapi(route('post', '/', body(NewTenant), Tenant), async (c) => {
  const tenant = await createTenant(dbOf(c), c.req.valid('json'))
  auditRequest(
    c,
    {
      action: 'tenant_created',
      target: tenant.id,
      detail: { slug: tenant.slug, oidc_issuer: tenant.oidc_issuer },
    },
    tenant.id,
  )
  return c.json(tenant, 200)
})

tenantsApi.openapi(route('get', '/', undefined, z.array(Tenant)), async (c) =>
  c.json(await listAllTenants(dbOf(c)), 200),
)

tenantsApi.openapi(route('get', '/me', undefined, Tenant), async (c) =>
  c.json(await getTenant(scopeOf(c)), 200),
)

tenantsApi.openapi(route('patch', '/me', body(Rename), Tenant), async (c) => {
  const scope = scopeOf(c)
  const before = await getTenant(scope)
  const after = await renameTenant(scope, c.req.valid('json').display_name)
  auditRequest(c, {
    action: 'tenant_renamed',
    target: scope.tenantId,
    detail: { from: before.display_name, to: after.display_name },
  })
  return c.json(after, 200)
})

tenantsApi.openapi(route('get', '/me/members', undefined, z.array(TenantMember)), async (c) =>
  c.json(await listMembers(scopeOf(c)), 200),
)
