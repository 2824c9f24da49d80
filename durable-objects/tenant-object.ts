import type { Principal } from '../src/auth/principal'
import { databaseOf } from '../src/db/client'
import { configOf, type Env } from '../src/env'
import type { Scope } from '../src/tasks/scope'
import { LiveObject } from './live-object'

/**
 * A live object that belongs to one tenant (id = tenant): it learns its tenant from the first
 * call, keeps it across restarts, refuses any other, and acts in it as the platform itself.
 */
export class TenantObject extends LiveObject<Env> {
  protected tenantId: string | undefined

  protected async bind(tenantId: string) {
    if (!/^[0-9a-f-]{36}$/i.test(tenantId)) throw new Error(`${this.kind} needs a tenant id`)
    if (this.tenantId === tenantId) return
    if (this.tenantId) throw new Error(`${this.kind} addressed with another tenant`)
    this.tenantId = tenantId
    await this.ctx.storage.put('tenant', tenantId)
  }

  /** The tenant after a restart (an alarm comes before any call). */
  protected async storedTenant(): Promise<string | undefined> {
    this.tenantId ??= await this.ctx.storage.get<string>('tenant')
    return this.tenantId
  }

  protected scope(): Scope {
    const tenantId = this.tenantId as string
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
