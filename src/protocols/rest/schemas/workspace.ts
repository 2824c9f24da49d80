import { z } from '@hono/zod-openapi'

/** A workspace as `workspaceView` (or `GLOBAL_WORKSPACE`) serves it: upstream's "codebase". */
export const Workspace = z
  .object({
    id: z.string(),
    name: z.string(),
    path: z.string(),
    description: z.string(),
    worker_id: z.string().nullable(),
    agent_config: z.record(z.string(), z.unknown()),
    status: z.string().openapi({ description: 'idle, watching, active, …' }),
    aliases: z.array(z.string()),
    git_url: z.string().nullable(),
    git_branch: z.string().nullable(),
    global: z.boolean().openapi({ description: "A worker's global codebase (or the address)" }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Workspace')

/** `addWorkspace`: registered by its worker, or queued as a job for a worker to register. */
export const WorkspaceAdded = z
  .union([
    z.object({ success: z.literal(true), workspace: Workspace, codebase: Workspace }),
    z.object({
      success: z.literal(true),
      pending: z.literal(true),
      task_id: z.string(),
      agent_type: z.string().openapi({ description: 'register_codebase or clone_repo' }),
    }),
  ])
  .openapi('WorkspaceAdded')

export const WorkspaceTriggered = z
  .object({
    success: z.literal(true),
    session_id: z.string().openapi({ description: "The task's id (upstream's name)" }),
    task_id: z.string(),
    task_status: z.enum(['dispatched', 'waiting_for_worker']),
    workers_notified: z.number().int(),
    routing: z.object({
      model_ref: z.string().nullable(),
      target_agent_name: z.null(),
      agent_type: z.string(),
    }),
  })
  .openapi('WorkspaceTriggered')

/** `watchStatus`: watch mode and the workspace's queue. */
export const WatchStatus = z
  .object({
    watch_mode: z.boolean(),
    status: z.string(),
    interval: z.number().openapi({ description: 'Seconds between checks' }),
    pending_tasks: z.number().int(),
    running_tasks: z.number().int(),
  })
  .openapi('WatchStatus')
