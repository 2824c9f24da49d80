/** The route → permission table covers every authenticated route the app serves. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { can, permissionFor, ROUTE_PERMISSIONS } from '../src/auth/permissions'
import type { Principal } from '../src/auth/principal'

// Served without credentials: health, discovery documents, logging in.
const PUBLIC = [
  /^\/health(\/ready)?$/,
  /^\/\.well-known\//,
  /^\/openapi\.json$/,
  /^\/v1\/auth\/(status|login|refresh|oidc\/login|callback)$/,
]

// The app's module graph is Worker code (tsconfig.json checks it); only its route list is read.
const appModule = '../src/app'
const { createApp } = (await import(appModule)) as {
  createApp(): { routes: { method: string; path: string }[] }
}

test('every route the app serves is in the permission table (or public)', () => {
  const missing = new Set<string>()
  for (const r of createApp().routes) {
    if (r.method === 'ALL' && r.path.endsWith('*')) continue // middleware
    if (PUBLIC.some((p) => p.test(r.path))) continue
    const listed = ROUTE_PERMISSIONS.some(
      ([m, p]) => (m === r.method || m === 'ALL') && p === r.path,
    )
    if (!listed) missing.add(`${r.method} ${r.path}`)
  }
  assert.deepEqual([...missing], [])
})

test('roles grant what the table promises, and an unlisted route is for admins', () => {
  const as = (roles: Principal['roles'], scopes = ['*']): Principal => ({
    kind: 'api_key',
    tenantId: '00000000-0000-0000-0000-000000000000',
    subject: 'x',
    name: 'x',
    roles,
    scopes,
  })
  const post = permissionFor('POST', '/v1/agent/tasks')
  assert.equal(post, 'tasks:write')
  assert.ok(can(as(['member']), post))
  assert.ok(!can(as(['viewer']), post))
  assert.ok(!can(as(['worker']), post))
  assert.ok(!can(as(['member'], ['tasks:read']), post))
  assert.ok(can(as(['member'], ['tasks:*']), post))
  assert.ok(can(as(['worker']), permissionFor('POST', '/v1/worker/tasks/claim')))
  assert.ok(!can(as(['worker']), permissionFor('GET', '/v1/admin/export')))
  // A worker token reads its own work through tasks:work, and nothing beside it that happens
  // to share a path's shape (the stuck-task list).
  assert.equal(permissionFor('GET', '/v1/agent/tasks/t-1', 'worker_token'), 'tasks:work')
  assert.equal(permissionFor('GET', '/v1/agent/tasks/stuck', 'worker_token'), 'tasks:read')
  assert.equal(permissionFor('GET', '/v1/agent/tasks/t-1/output', 'worker_token'), 'tasks:read')
  assert.equal(permissionFor('GET', '/v1/not/in/the/table'), 'data:admin')
  assert.ok(!can(as(['admin']), 'platform:tenants'), 'only the operator creates tenants')
})
