import { z } from '@hono/zod-openapi'

const count = z.number().int().min(0)

/** GET /v1/agent/status: upstream's bridge status, from the tenant's counts. */
export const BridgeStatus = z
  .object({
    available: z.literal(true),
    registered_workspaces: count,
    workers_online: count,
    tasks: z.object({ pending: count, running: count }),
    runtime: z.null().openapi({
      description: "Always null: upstream read the server's disk; workers sync sessions instead",
    }),
  })
  .openapi('BridgeStatus')

/** A worker with an open task stream, as it introduced itself (the tenant's WorkerHub). */
export const ConnectedWorker = z
  .object({
    worker_id: z.string(),
    agent_name: z.string().openapi({ description: 'Empty when it gave none' }),
    codebases: z.array(z.string()),
    capabilities: z.array(z.string()),
  })
  .openapi('ConnectedWorker')
