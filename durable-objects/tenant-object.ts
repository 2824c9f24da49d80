import type { Principal } from '../src/auth/principal'
import type { Scope } from '../src/domain/scope'
import { configOf, type Env } from '../src/env'
import { databaseOf } from '../src/storage/postgres/client'
import { LiveObject } from './live-object'

const TENANT_ID = /^[0-9a-f-]{36}$/i

/**
 * A live object that belongs to one tenant: its name is the tenant's id (and, for one of
 * several objects of a kind, `/<k>`), and it acts in that
 * tenant as the platform itself. The name is also kept in storage, for an alarm that wakes
 * an object whose id carries no name (one set before names were carried).
 */
export class TenantObject extends LiveObject<Env> {
  private tenant: string | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      // A tenant's second and later hubs are named `<tenant>/<k>` (live-objects.ts).
      const named = ctx.id.name?.split('/')[0]
      const stored = await ctx.storage.get<string>('tenant')
      if (named !== undefined && TENANT_ID.test(named) && stored !== named)
        await ctx.storage.put('tenant', named)
      this.tenant = named ?? stored
    })
  }

  protected get tenantId(): string {
    const tenantId = this.tenant
    if (!tenantId || !TENANT_ID.test(tenantId)) throw new Error(`${this.kind} needs a tenant id`)
    return tenantId
  }

  /** Whether this object serves a tenant (the health probe's does not). */
  protected get hasTenant(): boolean {
    return this.tenant !== undefined && TENANT_ID.test(this.tenant)
  }

  protected scope(): Scope {
    const tenantId = this.tenantId
    const config = configOf(this.env)
    const principal: Principal = {
      kind: 'system',
      tenantId,
      subject: `system:${this.kind}`,
      name: this.kind,
      roles: ['admin'],
      scopes: ['*'],
    }
    return {
      db: databaseOf(config),
      env: this.env,
      config,
      principal,
      tenantId,
      waitUntil: (p) => this.ctx.waitUntil(p),
    }
  }
}
