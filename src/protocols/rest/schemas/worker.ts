import { z } from '@hono/zod-openapi'
import { restStatuses } from '../../../domain/task-model/rest-statuses'
import { RestTask } from './task'

/** A registered worker as /v1/agent/workers serves it (`workerView`). */
export const Worker = z
  .object({
    worker_id: z.string(),
    name: z.string(),
    hostname: z.string().nullable(),
    capabilities: z.array(z.string()),
    // Kept as the worker reported them (rows from before register validated them included).
    models: z.array(z.unknown()).openapi({
      description: "'provider/model' names, or upstream's objects naming one by `id`",
    }),
    agents: z.array(z.unknown()).openapi({
      description: "The coding agents it runs: names, or upstream's objects naming one by `name`",
    }),
    status: z
      .enum(['online', 'busy', 'offline'])
      .openapi({ description: 'offline also when not seen within the online window' }),
    is_online: z.boolean(),
    registered_at: z.iso.datetime(),
    last_seen: z.iso.datetime(),
  })
  .openapi('Worker')

export const WorkerRegistered = z
  .object({ success: z.literal(true), worker: Worker })
  .openapi('WorkerRegistered')

/** GET /v1/agent/models. */
export const OnlineModel = z
  .object({
    id: z.string().openapi({ description: "'provider/model'" }),
    name: z.string().optional(),
    provider: z.string().optional(),
    source: z.enum(['listed', 'catalogue', 'cli']).optional().openapi({
      description:
        "listed: the provider's own model list offers it; catalogue: the worker could not fetch that list, and its built-in catalogue stood in; cli: a coding CLI the worker is logged in to runs it (the id starts with the CLI: claude/sonnet)",
    }),
    workers: z
      .array(z.object({ worker_id: z.string(), name: z.string() }))
      .openapi({ description: 'The online workers that offer it' }),
  })
  // Upstream's workers report fields of their own (costs, context sizes): kept as sent.
  .catchall(z.unknown())
  .openapi('OnlineModel')

export const OnlineModels = z
  .object({
    models: z.array(OnlineModel).openapi({
      description: 'Each model online workers offer, once, as the first worker reported it',
    }),
    // A union, not .nullable(): on a named schema that keeps only the $ref in the document.
    default: z.union([OnlineModel, z.null()]).openapi({
      description: 'The first of models; null when there is none',
    }),
  })
  .openapi('OnlineModels')

/** An approval the claiming worker may take (POST .../approvals/{approval}/use) and run. */
export const ClaimApproval = z
  .object({
    id: z.uuid(),
    tool: z.string(),
    // Always sent (null at least): nonoptional keeps it required in the document.
    input: z
      .unknown()
      .nonoptional()
      .openapi({ description: "The tool's input, as the worker reported it" }),
    approved_by: z.string(),
    approved_at: z.iso.datetime(),
  })
  .openapi('ClaimApproval')

export const WorkerClaim = z
  .object({
    success: z.literal(true),
    task_id: z.string(),
    worker_id: z.string(),
    attempt: z.number().int().openapi({ description: 'The fencing token of this claim' }),
    lease_expires_at: z.iso.datetime().nullable(),
    message: z.literal('claimed'),
    task: RestTask,
    approvals: z.array(ClaimApproval),
  })
  .openapi('WorkerClaim')

/** POST /v1/worker/tasks/claims, and a release's `claim_next`: what a wish got. */
const Granted = {
  claims: z.array(WorkerClaim).openapi({ description: 'Each claim made, as a claim of one' }),
  gone: z.array(z.string()).openapi({
    description:
      'Named tasks this worker cannot take (taken, finished, unknown, or not for it): forget them',
  }),
}

export const WorkerClaims = z
  .object({ success: z.literal(true), ...Granted })
  .openapi('WorkerClaims')

/** A release; with `claim_next`, also the work it claimed. */
export const WorkerReleased = z
  .object({
    success: z.literal(true),
    task: RestTask,
    claims: Granted.claims.optional(),
    gone: Granted.gone.optional(),
  })
  .openapi('WorkerReleased')

/** What a restarted worker handed back: claims it never started, back in the queue. */
export const WorkerHandedBack = z
  .object({
    success: z.literal(true),
    task_ids: z
      .array(z.string())
      .openapi({ description: 'The tasks put back in the queue, their attempts given back' }),
  })
  .openapi('WorkerHandedBack')

export const WorkerRouting = z
  .object({
    success: z.literal(true),
    worker_id: z.string(),
    codebases: z.array(z.string()).openapi({ description: 'The codebases it is now routed' }),
  })
  .openapi('WorkerRouting')

/**
 * A queue transition refused (lib/errors' envelope): `details` tells the task's state, except
 * to a worker token that does not hold the task, or when an approval is not there to take.
 */
export const QueueConflict = z
  .object({
    error: z.object({
      code: z.literal('conflict'),
      message: z.string(),
      details: z
        .object({
          status: z.enum(restStatuses),
          worker_id: z.string().nullable(),
          attempt: z.number().int(),
        })
        .optional(),
    }),
  })
  .openapi('QueueConflict')
