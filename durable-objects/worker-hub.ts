import { LiveObject } from './live-object'

/** One per tenant: connected workers, task push and the lease reaper (queue issue). */
export class WorkerHub extends LiveObject {
  protected override readonly kind = 'worker-hub'
}
