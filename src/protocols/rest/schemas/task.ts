import { z } from '@hono/zod-openapi'
import { restStatuses } from '../../../domain/tasks/states'
import { taskStatuses } from '../../../storage/postgres/schema'

const when = z.iso.datetime().nullable()

/** A task as /v1/agent serves it (`restTaskView`): snake_case, upstream's status names. */
export const RestTask = z
  .object({
    id: z.string(),
    context_id: z.string(),
    workspace_id: z.string().openapi({ description: "The workspace's id, or 'global'" }),
    codebase_id: z.string().openapi({ description: 'The same as workspace_id (upstream name)' }),
    title: z.string(),
    prompt: z.string(),
    agent_type: z.string(),
    status: z.enum(restStatuses),
    a2a_state: z.enum(taskStatuses),
    priority: z.number().int(),
    deadline_at: when,
    worker_id: z.string().nullable(),
    target_agent_name: z.string().nullable(),
    model_ref: z.string().nullable(),
    result: z.string().nullable(),
    error: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: when,
    updated_at: when,
    started_at: when,
    completed_at: when,
  })
  .openapi('AgentTask')
