import { log } from '../src/lib/log'
import { sweepOutbox } from '../src/push/sweep'
import { TenantObject } from './tenant-object'

// When the sweep itself fails (database down), look again after this long.
const SWEEP_FAILED_RETRY_MS = 30_000

/**
 * One per tenant: the owner of push deliveries. Rows wait in Postgres (push_deliveries);
 * this object's alarm sends the due ones and sleeps until the next is due. Its alarm is
 * durable, so retries survive restarts and deploys; the rows are the truth, so a lost alarm
 * costs only time, until the tenant's next event wakes it.
 */
export class PushOutbox extends TenantObject {
  protected override readonly kind = 'push-outbox'

  /** Wakes the outbox by `at` (epoch ms): now, for a fresh delivery. */
  async schedule(tenantId: string, at: number): Promise<void> {
    await this.bind(tenantId)
    await this.wakeBy(at)
  }

  override async alarm(): Promise<void> {
    const tenantId = await this.storedTenant()
    if (!tenantId) return
    let next: number | null
    try {
      next = await sweepOutbox(this.scope())
    } catch (err) {
      log.error('push sweep failed', { tenant_id: tenantId, error: err as Error })
      next = Date.now() + SWEEP_FAILED_RETRY_MS
    }
    if (next !== null) await this.wakeBy(next)
  }

  /** Never pushes an alarm later: a schedule() during the sweep may have asked for sooner. */
  private async wakeBy(at: number) {
    const current = await this.ctx.storage.getAlarm()
    const wanted = Math.max(Date.now(), at)
    if (current === null || wanted < current) await this.ctx.storage.setAlarm(wanted)
  }
}
