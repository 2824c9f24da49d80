/**
 * Who may do what, in one place: the permissions, what each role grants, and the permission
 * every route needs. The middleware enforces the route table (a route missing from it is
 * for admins only, and test/auth-permissions.test.ts fails); A2A methods and MCP tools
 * check the tables at the bottom.
 */
import { TrieRouter } from 'hono/router/trie-router'
import type { Principal, Role } from './principal'

export const PERMISSIONS = [
  'tasks:read',
  'tasks:write',
  'tasks:work',
  /** Answer a worker's request to run an action: a person's call, never the task creator's. */
  'tasks:approve',
  'codebases:read',
  'codebases:write',
  'codebases:register',
  'workers:read',
  'workers:connect',
  'cron:read',
  'cron:write',
  'media:join',
  'media:admin',
  'agents:read',
  'agents:write',
  'sessions:read',
  'sessions:write',
  'sessions:sync',
  'usage:read',
  'budget:write',
  /** Change the tenant's limits (within the operator's maxima). */
  'limits:write',
  'keys:read',
  'keys:write',
  'keys:admin',
  'tenant:read',
  'tenant:write',
  'members:read',
  'audit:read',
  'data:admin',
  'metrics:read',
  /** Across tenants: only the operator (a static token from configuration, or dev mode). */
  'platform:tenants',
  'platform:pricing',
  /** /metrics beyond the caller's tenant: platform totals and every tenant's series. */
  'platform:metrics',
] as const

export type Permission = (typeof PERMISSIONS)[number]

const viewer: Permission[] = [
  'tasks:read',
  'codebases:read',
  'workers:read',
  'cron:read',
  'agents:read',
  'sessions:read',
  'usage:read',
  'tenant:read',
  'keys:read',
  'keys:write',
]

const grants: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS.filter((p) => !p.startsWith('platform:')),
  member: [
    ...viewer,
    'tasks:write',
    'codebases:write',
    'codebases:register',
    'cron:write',
    'media:join',
    'agents:write',
    'sessions:write',
    'sessions:sync',
  ],
  viewer,
  // Given by the identity provider to the people trusted to let a worker act: on its own it
  // reads and approves; with member it also creates.
  approver: [...viewer, 'tasks:approve'],
  // A worker token opens the worker protocol and nothing a person does: it reads only the
  // tasks it may claim or holds (WORKER_ROUTES), never the tenant's other data.
  worker: ['tasks:work', 'codebases:register', 'workers:connect', 'sessions:sync'],
}

/** Roles in order of power, for "a key may not hold more than its creator". */
export const HUMAN_ROLES = ['viewer', 'member', 'admin'] as const

export function rolesGrant(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => grants[r]?.includes(permission))
}

/** Role and scopes both must allow it; `platform:` permissions belong to the operator. */
export function can(principal: Principal, permission: Permission): boolean {
  if (permission.startsWith('platform:')) {
    return principal.kind === 'static_token' || principal.kind === 'dev'
  }
  return rolesGrant(principal.roles, permission) && scopesAllow(principal.scopes, permission)
}

/** Scopes are permissions, `resource:*`, or `*`. */
export function scopesAllow(scopes: readonly string[], permission: Permission): boolean {
  const resource = permission.slice(0, permission.indexOf(':'))
  return scopes.some((s) => s === '*' || s === permission || s === `${resource}:*`)
}

export const isScope = (s: string) =>
  s === '*' ||
  (PERMISSIONS as readonly string[]).includes(s) ||
  (s.endsWith(':*') && PERMISSIONS.some((p) => p.startsWith(s.slice(0, -1))))

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ALL'
type Rule = [Method, string, Permission]

const codebaseRoutes = (base: string): Rule[] => [
  ['GET', base, 'codebases:read'],
  ['POST', base, 'codebases:register'],
  ['GET', `${base}/:id`, 'codebases:read'],
  ['DELETE', `${base}/:id`, 'codebases:write'],
  ['POST', `${base}/:id/trigger`, 'tasks:write'],
  ['POST', `${base}/:id/tasks`, 'tasks:write'],
  ['GET', `${base}/:id/events`, 'tasks:read'],
  ['POST', `${base}/:id/watch/start`, 'tasks:write'],
  ['POST', `${base}/:id/watch/stop`, 'tasks:write'],
  ['GET', `${base}/:id/watch/status`, 'codebases:read'],
  ['GET', `${base}/:id/sessions`, 'sessions:read'],
  ['POST', `${base}/:id/sessions/sync`, 'sessions:sync'],
  ['GET', `${base}/:id/sessions/:sid`, 'sessions:read'],
  ['GET', `${base}/:id/sessions/:sid/messages`, 'sessions:read'],
  ['POST', `${base}/:id/sessions/:sid/messages/sync`, 'sessions:sync'],
  ['POST', `${base}/:id/sessions/:sid/ingest`, 'sessions:write'],
  ['POST', `${base}/:id/sessions/:sid/resume`, 'tasks:write'],
]

/** Every authenticated route. Public ones (health, well-known, login) never reach it. */
export const ROUTE_PERMISSIONS: Rule[] = [
  ['GET', '/health/detail', 'tenant:read'],
  ['GET', '/metrics', 'metrics:read'],
  ['ALL', '/mcp', 'tasks:read'],
  ['GET', '/mcp/v1/tools', 'tasks:read'],
  ['POST', '/mcp/v1/rpc', 'tasks:read'],
  ['POST', '/mcp/v1/message', 'tasks:read'],
  // A2A: reading is enough to reach the endpoint; each method checks A2A_METHODS below.
  ['POST', '/', 'tasks:read'],
  ['POST', '/v1/a2a', 'tasks:read'],
  ['GET', '/a2a/rest/extendedAgentCard', 'tasks:read'],
  ['POST', '/a2a/rest/:action{message:(?:send|stream)}', 'tasks:write'],
  ['GET', '/a2a/rest/tasks', 'tasks:read'],
  ['GET', '/a2a/rest/tasks/:ref', 'tasks:read'],
  ['POST', '/a2a/rest/tasks/:ref', 'tasks:write'],
  ['POST', '/a2a/rest/tasks/:taskId/pushNotificationConfigs', 'tasks:write'],
  ['GET', '/a2a/rest/tasks/:taskId/pushNotificationConfigs', 'tasks:read'],
  ['GET', '/a2a/rest/tasks/:taskId/pushNotificationConfigs/:id', 'tasks:read'],
  ['DELETE', '/a2a/rest/tasks/:taskId/pushNotificationConfigs/:id', 'tasks:write'],

  ...codebaseRoutes('/v1/agent/workspaces'),
  ...codebaseRoutes('/v1/agent/codebases'),
  ['GET', '/v1/agent/tasks/stuck', 'tasks:read'],
  ['POST', '/v1/agent/tasks/stuck/recover', 'tasks:write'],
  ['POST', '/v1/agent/tasks/:id/requeue', 'tasks:write'],
  ['POST', '/v1/agent/tasks/:id/approve', 'tasks:approve'],
  ['GET', '/v1/agent/tasks/:id/approvals', 'tasks:read'],
  ['POST', '/v1/worker/tasks/:id/approvals/:approval/use', 'tasks:work'],
  ['GET', '/v1/agent/tasks', 'tasks:read'],
  ['GET', '/v1/agent/tasks/:id', 'tasks:read'],
  ['POST', '/v1/agent/tasks', 'tasks:write'],
  ['POST', '/v1/agent/tasks/:id/cancel', 'tasks:write'],
  ['PUT', '/v1/agent/tasks/:id/status', 'tasks:work'],
  ['POST', '/v1/agent/tasks/:id/output', 'tasks:work'],
  ['GET', '/v1/agent/tasks/:id/output', 'tasks:read'],
  ['GET', '/v1/agent/tasks/:id/output/stream', 'tasks:read'],
  ['GET', '/v1/agent/tasks/:id/push-deliveries', 'tasks:read'],
  ['POST', '/v1/agent/workers/register', 'workers:connect'],
  ['GET', '/v1/agent/api-keys/sync', 'workers:connect'],
  ['POST', '/v1/agent/workers/:id/heartbeat', 'workers:connect'],
  ['POST', '/v1/agent/workers/:id/unregister', 'workers:connect'],
  ['GET', '/v1/agent/workers', 'workers:read'],
  ['GET', '/v1/agent/workers/:id', 'workers:read'],
  ['GET', '/v1/agent/models', 'workers:read'],
  ['GET', '/v1/agent/status', 'workers:read'],
  ['POST', '/v1/worker/tasks/claim', 'tasks:work'],
  ['POST', '/v1/worker/tasks/claims', 'tasks:work'],
  ['POST', '/v1/worker/tasks/release', 'tasks:work'],
  ['POST', '/v1/worker/tasks/hand-back', 'tasks:work'],
  ['GET', '/v1/worker/tasks/stream', 'workers:connect'],
  ['PUT', '/v1/worker/codebases', 'workers:connect'],
  ['GET', '/v1/worker/connected', 'workers:read'],

  ['POST', '/v1/cronjobs', 'cron:write'],
  ['GET', '/v1/cronjobs', 'cron:read'],
  ['POST', '/v1/cronjobs/validate-cron', 'cron:read'],
  ['GET', '/v1/cronjobs/:id', 'cron:read'],
  ['PUT', '/v1/cronjobs/:id', 'cron:write'],
  ['DELETE', '/v1/cronjobs/:id', 'cron:write'],
  ['POST', '/v1/cronjobs/:id/toggle', 'cron:write'],
  ['POST', '/v1/cronjobs/:id/trigger', 'cron:write'],
  ['POST', '/v1/cronjobs/internal/:id/trigger', 'cron:write'],
  ['GET', '/v1/cronjobs/:id/runs', 'cron:read'],
  ['POST', '/v1/livekit/token', 'media:join'],

  ['GET', '/v1/agent/runtime/status', 'sessions:read'],
  ['GET', '/v1/agent/runtime/projects', 'sessions:read'],
  ['GET', '/v1/agent/runtime/sessions', 'sessions:read'],
  ['GET', '/v1/agent/runtime/sessions/:id', 'sessions:read'],
  ['GET', '/v1/agent/runtime/sessions/:id/messages', 'sessions:read'],
  ['GET', '/v1/agent/runtime/sessions/:id/parts', 'sessions:read'],
  ['GET', '/v1/token-billing/usage/summary', 'usage:read'],
  ['GET', '/v1/token-billing/usage/recent', 'usage:read'],
  ['GET', '/v1/token-billing/budget', 'usage:read'],
  ['PUT', '/v1/token-billing/budget', 'budget:write'],
  ['POST', '/v1/token-billing/usage/:id/void', 'budget:write'],
  ['GET', '/v1/token-billing/pricing', 'usage:read'],
  ['GET', '/v1/limits', 'tenant:read'],
  ['PUT', '/v1/limits', 'limits:write'],
  ['PUT', '/v1/token-billing/pricing', 'platform:pricing'],

  ['GET', '/agents', 'agents:read'],
  ['GET', '/v1/agents', 'agents:read'],
  ['POST', '/v1/agents', 'agents:write'],
  ['POST', '/v1/agents/remote', 'agents:write'],
  ['POST', '/v1/agents/events', 'agents:write'],
  ['GET', '/v1/agents/conversations/:id', 'agents:read'],
  ['GET', '/v1/agents/:name', 'agents:read'],
  ['DELETE', '/v1/agents/:name', 'agents:write'],
  ['POST', '/v1/agents/:name/heartbeat', 'agents:write'],
  ['POST', '/v1/agents/:name/messages', 'agents:write'],
  ['POST', '/v1/agents/:name/ask', 'agents:write'],
  ['POST', '/v1/agents/:name/tasks', 'tasks:write'],
  ['GET', '/v1/agents/:name/inbox', 'agents:write'],
  ['POST', '/v1/agents/:name/inbox/ack', 'agents:write'],
  ['GET', '/v1/agents/:name/stream', 'agents:write'],
  ['GET', '/v1/agents/:name/subscriptions', 'agents:read'],
  ['POST', '/v1/agents/:name/subscriptions', 'agents:write'],
  ['DELETE', '/v1/agents/:name/subscriptions', 'agents:write'],

  ['GET', '/v1/monitor/stream', 'tasks:read'],
  ['GET', '/v1/monitor/messages', 'tasks:read'],
  ['GET', '/v1/monitor/messages/search', 'tasks:read'],
  ['GET', '/v1/monitor/messages/count', 'tasks:read'],
  ['GET', '/v1/monitor/stats', 'tasks:read'],
  ['GET', '/v1/monitor/agents', 'agents:read'],
  ['GET', '/v1/monitor/workers', 'workers:read'],
  ['GET', '/v1/monitor/models', 'workers:read'],
  // An answer to a task also needs tasks:write, a message to an agent agents:write: both checked.
  ['POST', '/v1/monitor/intervene', 'tasks:read'],
  ['GET', '/v1/monitor/export/json', 'tasks:read'],
  ['GET', '/v1/monitor/export/csv', 'tasks:read'],

  ['POST', '/v1/admin/retention/run', 'data:admin'],
  ['GET', '/v1/admin/export', 'data:admin'],
  ['GET', '/v1/admin/audit', 'audit:read'],

  ['POST', '/v1/auth/logout', 'tenant:read'],
  ['GET', '/v1/auth/session', 'tenant:read'],
  ['GET', '/v1/auth/userinfo', 'tenant:read'],
  ['POST', '/v1/auth/api-keys', 'keys:write'],
  ['GET', '/v1/auth/api-keys', 'keys:read'],
  ['DELETE', '/v1/auth/api-keys/:id', 'keys:write'],
  ['POST', '/v1/auth/worker-tokens', 'keys:admin'],
  ['GET', '/v1/auth/worker-tokens', 'keys:admin'],
  ['DELETE', '/v1/auth/worker-tokens/:id', 'keys:admin'],

  ['POST', '/v1/tenants', 'platform:tenants'],
  ['GET', '/v1/tenants', 'platform:tenants'],
  ['GET', '/v1/tenants/me', 'tenant:read'],
  ['PATCH', '/v1/tenants/me', 'tenant:write'],
  ['GET', '/v1/tenants/me/members', 'members:read'],
]

const router = new TrieRouter<[Permission, string]>()
for (const [method, path, permission] of ROUTE_PERMISSIONS) {
  router.add(method, path, [permission, `${method} ${path}`])
}

/**
 * Reads of the worker protocol: a worker token passes them with tasks:work, and the handler
 * answers only the tasks that worker may claim or holds. Everything else a person reads
 * (monitor, export, MCP, sessions, stuck tasks) stays closed to it.
 */
const WORKER_READS = new Set(['GET /v1/agent/tasks', 'GET /v1/agent/tasks/:id'])

/** The permission a request needs; a route missing from the table is for admins only. */
export function permissionFor(method: string, path: string, kind?: Principal['kind']): Permission {
  const verb = method === 'HEAD' ? 'GET' : method
  const [matches] = router.match(verb, path)
  const rule = matches[0]?.[0]
  if (!rule) return 'data:admin'
  const [permission, route] = rule
  return kind === 'worker_token' && WORKER_READS.has(route) ? 'tasks:work' : permission
}

/** A2A methods of both versions that change something; every other method only reads. */
const A2A_WRITE = /^(Send|Cancel|Create|Set|Delete)|^message\/|^tasks\/cancel$|\/(set|delete)$/

export const a2aMethodPermission = (method: string): Permission =>
  A2A_WRITE.test(method) ? 'tasks:write' : 'tasks:read'

/** MCP tools: their own permission, else tasks:read to read and tasks:write to change. */
export const mcpToolPermission = (t: { mutates: boolean; permission?: Permission }): Permission =>
  t.permission ?? (t.mutates ? 'tasks:write' : 'tasks:read')
