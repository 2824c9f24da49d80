import { z } from '@hono/zod-openapi'
import { restStatuses } from '../../../domain/task-model/rest-statuses'
import { taskStatuses } from '../../../storage/postgres/statuses'

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

/** One task read on its own: the task, and why it waits when nothing can take it. */
export const RestTaskDetail = RestTask.extend({
  waiting_for: z
    .string()
    .nullable()
    .openapi({ description: 'Why no worker has taken it yet, or null' }),
}).openapi('AgentTaskDetail')

/** The answer of a change to one task (cancel, status, requeue, approve, release). */
export const RestTaskChanged = z
  .object({ success: z.literal(true), task: RestTask })
  .openapi('AgentTaskChanged')

export const StuckTasks = z
  .object({ tasks: z.array(RestTask), count: z.number().int(), timeout_seconds: z.number() })
  .openapi('StuckTasks')

/** What the reaper did just now: the ids it requeued and the ones it failed. */
export const StuckRecovery = z
  .object({ success: z.literal(true), requeued: z.array(z.string()), failed: z.array(z.string()) })
  .openapi('StuckRecovery')

/** Who approved or rejected which action of a task, and when a worker used it. */
export const TaskApproval = z
  .object({
    id: z.uuid(),
    tool: z.string(),
    input: z.unknown().nonoptional(),
    action_key: z.string(),
    decision: z.enum(['approved', 'rejected']),
    decided_by: z.string(),
    note: z.string().nullable(),
    decided_at: z.iso.datetime(),
    used_at: z.iso.datetime().nullable(),
    used_by: z.string().nullable(),
  })
  .openapi('TaskApproval')
