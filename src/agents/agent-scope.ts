import type { Scope } from '../domain/scope'
import type { EdgePlatform } from './types'

/** A built-in agent acting on the platform (the bus, other agents) as itself, in its tenant. */
export const agentScope = (ctx: EdgePlatform, agentId: string): Scope => ({
  db: ctx.db,
  env: ctx.env,
  config: ctx.config,
  tenantId: ctx.tenantId,
  principal: {
    kind: 'system',
    tenantId: ctx.tenantId,
    subject: `agent:${agentId}`,
    name: agentId,
    roles: ['member'],
    scopes: ['*'],
  },
  waitUntil: (p) => void p.catch(() => {}),
})
