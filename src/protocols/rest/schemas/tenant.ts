import { z } from '@hono/zod-openapi'

export const Tenant = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    display_name: z.string(),
    oidc_issuer: z.string().nullable().openapi({
      description: 'The issuer whose tokens belong to this tenant, if one is bound',
    }),
    created_at: z.iso.datetime(),
  })
  .openapi('Tenant')

/** A person who signed in to the tenant, as last seen. */
export const TenantMember = z
  .object({
    subject: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    // Stored as text[]: the roles of the person's latest request, as the database returns them.
    roles: z.array(z.string()),
    first_seen_at: z.iso.datetime(),
    last_seen_at: z.iso.datetime(),
  })
  .openapi('TenantMember')
