import { DurableObject } from 'cloudflare:workers'

/**
 * Base of the live objects. Each is addressed by name (`idFromName`), and the name says what
 * it serves (a tenant, a tenant's task), so no call has to carry it. Each answers `ping()`
 * so that /health/ready can prove the namespace is bound and instances start.
 */
export class LiveObject<Env = unknown> extends DurableObject<Env> {
  protected readonly kind: string = 'live-object'

  async ping(): Promise<{ kind: string; id: string }> {
    return { kind: this.kind, id: this.ctx.id.toString() }
  }

  /** The name this object was addressed by. */
  protected get name(): string {
    const name = this.ctx.id.name
    if (name === undefined) throw new Error(`${this.kind} must be addressed by name`)
    return name
  }
}
