import { Hono } from 'hono'
import { type AppEnv, principalOf } from '../../context'
import { listAudit } from '../../domain/audit/log'
import { exportTenant } from '../../domain/hygiene/export'
import { purgeExpired } from '../../domain/hygiene/retention'
import { badRequest } from '../../lib/errors'
import { scopeOf } from './scope'

/** /v1/admin: operations on the caller's whole tenant. */
export const adminApi = new Hono<AppEnv>()

/** POST /v1/admin/retention/run: the retention pass now (the tenant's alarm runs it hourly). */
adminApi.post('/retention/run', async (c) => {
  const purged = await purgeExpired(scopeOf(c))
  return c.json({ success: true, deleted: purged }, 200)
})

/** GET /v1/admin/export: the tenant's data as NDJSON (admins only; secrets withheld). */
adminApi.get('/export', (c) => {
  const principal = principalOf(c)
  const stamp = new Date().toISOString().slice(0, 10)
  const body = exportTenant(scopeOf(c), (p) => c.executionCtx.waitUntil(p))
  return new Response(body, {
    headers: {
      'Content-Type': 'application/x-ndjson',
      'Content-Disposition': `attachment; filename="codetether-${principal.tenantId}-${stamp}.ndjson"`,
    },
  })
})

/** GET /v1/admin/audit: security events, newest first (`?action=&limit=&before=<id>`). */
adminApi.get('/audit', async (c) => {
  const limit = Number(c.req.query('limit') ?? 100)
  const before = c.req.query('before') === undefined ? undefined : Number(c.req.query('before'))
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw badRequest('limit must be an integer from 1 to 1000')
  }
  if (before !== undefined && (!Number.isInteger(before) || before < 1)) {
    throw badRequest('before must be an audit entry id')
  }
  const action = c.req.query('action')
  return c.json(await listAudit(scopeOf(c), { action, limit, before }))
})
