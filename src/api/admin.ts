import { Hono } from 'hono'
import { type AppEnv, dbOf, principalOf } from '../context'
import { exportTenant } from '../hygiene/export'
import { purgeExpired } from '../hygiene/retention'
import { forbidden } from '../lib/errors'
import { scopeOf } from './scope'

/** /v1/admin: operations on the caller's whole tenant. */
export const adminApi = new Hono<AppEnv>()

const requireAdmin = (c: Parameters<typeof principalOf>[0], what: string) => {
  const principal = principalOf(c)
  if (!principal.roles.includes('admin')) throw forbidden(`${what} is for admins`)
  return principal
}

/** POST /v1/admin/retention/run: the retention pass now (the tenant's alarm runs it hourly). */
adminApi.post('/retention/run', async (c) => {
  requireAdmin(c, 'Running retention')
  const purged = await purgeExpired(scopeOf(c))
  return c.json({ success: true, deleted: purged }, 200)
})

/** GET /v1/admin/export: the tenant's data as NDJSON (admins only; secrets withheld). */
adminApi.get('/export', (c) => {
  const principal = requireAdmin(c, 'Exporting a tenant')
  const stamp = new Date().toISOString().slice(0, 10)
  return new Response(exportTenant(dbOf(c), principal.tenantId), {
    headers: {
      'Content-Type': 'application/x-ndjson',
      'Content-Disposition': `attachment; filename="codetether-${principal.tenantId}-${stamp}.ndjson"`,
    },
  })
})
