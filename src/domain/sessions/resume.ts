/**
 * Resuming a session from anywhere: the prompt is stored as the session's next user message,
 * then a task carrying `resume_session_id` goes to a worker that owns the codebase, which
 * continues the same conversation in the executor that had it.
 */
import { createQueuedTask } from '../queue/tasks'
import type { Scope } from '../scope'
import { restTaskView } from '../task-model/rest-view'
import { getWorkspace } from '../workspaces/service'
import { getSession, upsertMessages } from './store'

export interface ResumeRequest {
  prompt?: string
  agent?: string
  model?: string
  model_ref?: string
}

export async function resumeSession(
  scope: Scope,
  workspaceId: string,
  sessionId: string,
  r: ResumeRequest,
) {
  const session = await getSession(scope, sessionId, workspaceId)
  const workspace = await getWorkspace(scope, workspaceId)
  const prompt = r.prompt?.trim() || 'Continue where you left off.'
  await upsertMessages(
    scope,
    sessionId,
    [
      {
        id: `resume-${crypto.randomUUID()}`,
        role: 'user',
        content: prompt,
        parts: [{ type: 'text', text: prompt }],
        model: undefined,
        provider: undefined,
        tokens: undefined,
        createdAt: new Date(),
        taskId: undefined,
      },
    ],
    false,
  )
  // The executor that holds the conversation: the session's own agent unless one is asked for.
  const executor = r.agent ?? session.agent ?? undefined
  const task = await createQueuedTask(scope, {
    title: `Resume: ${session.title || sessionId}`.slice(0, 120),
    prompt,
    agentType: 'build',
    workspaceId,
    modelRef: r.model_ref ?? r.model ?? null,
    targetWorkerId: workspace.workerId ?? null,
    metadata: {
      resume_session_id: sessionId,
      ...(executor ? { executor } : {}),
      source: 'session_resume',
    },
    createdBy: scope.principal.subject,
  })
  return {
    success: true as const,
    task_id: task.id,
    session_id: sessionId,
    active_session_id: sessionId,
    routing: {
      target_worker_id: workspace.workerId,
      executor: executor ?? null,
      reason: workspace.workerId
        ? `queued for ${workspace.workerId}, the worker that owns this codebase`
        : 'queued for any worker that serves this codebase',
    },
    task: restTaskView(task),
  }
}
