import { z } from '@hono/zod-openapi'

export const PushAttempt = z
  .object({
    attempt: z.number().int(),
    attempted_at: z.iso.datetime(),
    /** The receiver's HTTP status; null when it did not answer or the URL was refused. */
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    /** When this failure is retried; null when it landed or was the last try. */
    next_retry_at: z.iso.datetime().nullable(),
  })
  .openapi('PushAttempt')

export const PushDelivery = z
  .object({
    config_id: z.string(),
    seq: z.number().int(),
    event_id: z.string(),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    next_retry_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    settled_at: z.iso.datetime().nullable(),
    tries: z.array(PushAttempt),
  })
  .openapi('PushDelivery')

export const PushDeliveries = z
  .object({ task_id: z.string(), deliveries: z.array(PushDelivery) })
  .openapi('PushDeliveries')
