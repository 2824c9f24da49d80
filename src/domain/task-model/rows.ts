import type { TaskStatus } from '../../storage/postgres/statuses'
import type { A2aTaskFields } from './a2a-wire'
import type { TaskEvent, TaskEventKind } from './events'
import type { TaskRow } from './store'

/** Rows of raw SQL (row_to_json) as the typed rows drizzle would give. */
export function eventOf(r: Record<string, unknown>): TaskEvent {
  return {
    seq: Number(r.seq),
    kind: r.kind as TaskEventKind,
    payload: r.payload as Record<string, unknown>,
    createdAt: new Date(String(r.created_at)).toISOString(),
  }
}

/**
 * The columns of an A2A Task as row_to_json or a raw select gives them (snake_case, the
 * timestamp as Postgres text; history, artifacts: [] if not read).
 */
export function a2aFieldsFromJson(j: Record<string, unknown>): A2aTaskFields {
  return {
    id: j.id as string,
    contextId: j.context_id as string,
    status: j.status as TaskStatus,
    statusMessage: j.status_message ?? null,
    statusAt: new Date(String(j.status_at)),
    metadata: (j.metadata as Record<string, unknown>) ?? {},
    history: (j.history as unknown[]) ?? [],
    artifacts: (j.artifacts as unknown[]) ?? [],
  }
}

/**
 * row_to_json gives snake_case columns and Postgres timestamp text; map to the drizzle row (the
 * A2A Task's columns as a2aFieldsFromJson reads them, and the rest).
 */
export function taskFromJson(j: Record<string, unknown>): TaskRow {
  const ts = (v: unknown) => (v == null ? null : new Date(String(v)))
  return {
    ...a2aFieldsFromJson(j),
    tenantId: j.tenant_id as string,
    workspaceId: (j.workspace_id as string | null) ?? null,
    title: j.title as string,
    prompt: j.prompt as string,
    agentType: j.agent_type as string,
    priority: j.priority as number,
    targetAgentName: (j.target_agent_name as string | null) ?? null,
    targetWorkerId: (j.target_worker_id as string | null) ?? null,
    requiredCapabilities: (j.required_capabilities as string[]) ?? [],
    modelRef: (j.model_ref as string | null) ?? null,
    deadlineAt: ts(j.deadline_at),
    workerId: (j.worker_id as string | null) ?? null,
    leaseExpiresAt: ts(j.lease_expires_at),
    attempt: j.attempt as number,
    maxAttempts: j.max_attempts as number,
    result: (j.result as string | null) ?? null,
    error: (j.error as string | null) ?? null,
    lastSeq: Number(j.last_seq),
    pushConfigs: Number(j.push_configs ?? 0),
    outputMark: Number(j.output_mark ?? 0),
    outputBytes: Number(j.output_bytes ?? 0),
    watched: j.watched === true,
    createdBy: (j.created_by as string | null) ?? null,
    createdAt: ts(j.created_at) as Date,
    updatedAt: ts(j.updated_at) as Date,
    startedAt: ts(j.started_at),
    completedAt: ts(j.completed_at),
  }
}
