import { DurableObject } from 'cloudflare:workers'

/**
 * Base of the live objects: each answers `ping()` so that /health/ready can prove the
 * namespace is bound and instances start.
 */
export class LiveObject<Env = unknown> extends DurableObject<Env> {
  protected readonly kind: string = 'live-object'

  async ping(): Promise<{ kind: string; id: string }> {
    return { kind: this.kind, id: this.ctx.id.toString() }
  }
}
