import { and, eq } from 'drizzle-orm'
import { seal } from '../../lib/seal'
import { taskPushConfigs } from '../../storage/postgres/schema'
import { tenantQuery } from '../../storage/postgres/tenant'
import type { Scope } from '../scope'

export type PushConfigRow = typeof taskPushConfigs.$inferSelect

export interface PushConfigInput {
  taskId: string
  id?: string
  url: string
  token?: string
  authScheme?: string
  credentials?: string
  wireVersion: '0.3' | '1.0'
}

/** Stores (or replaces, by id) a webhook of a task; token and credentials sealed. */
export async function savePushConfig(
  scope: Scope,
  secretsKey: string,
  input: PushConfigInput,
): Promise<PushConfigRow> {
  const values = {
    tenantId: scope.tenantId,
    taskId: input.taskId,
    id: input.id || crypto.randomUUID(),
    url: input.url,
    sealedToken: input.token ? await seal(secretsKey, input.token) : null,
    authScheme: input.authScheme || null,
    sealedCredentials: input.credentials ? await seal(secretsKey, input.credentials) : null,
    wireVersion: input.wireVersion,
  }
  const [row] = await tenantQuery(scope, (db) =>
    db
      .insert(taskPushConfigs)
      .values(values)
      .onConflictDoUpdate({
        target: [taskPushConfigs.tenantId, taskPushConfigs.taskId, taskPushConfigs.id],
        set: values,
      })
      .returning(),
  )
  if (!row) throw new Error('push config upsert returned no row')
  return row
}

export function listPushConfigs(scope: Scope, taskId: string): Promise<PushConfigRow[]> {
  return tenantQuery(scope, (db) =>
    db
      .select()
      .from(taskPushConfigs)
      .where(eq(taskPushConfigs.taskId, taskId))
      .orderBy(taskPushConfigs.createdAt),
  )
}

export async function getPushConfig(scope: Scope, taskId: string, id: string) {
  const [row] = await tenantQuery(scope, (db) =>
    db
      .select()
      .from(taskPushConfigs)
      .where(and(eq(taskPushConfigs.taskId, taskId), eq(taskPushConfigs.id, id))),
  )
  return row
}

/** Idempotent: deleting what is not there is fine. */
export async function deletePushConfig(scope: Scope, taskId: string, id: string): Promise<void> {
  await tenantQuery(scope, (db) =>
    db
      .delete(taskPushConfigs)
      .where(and(eq(taskPushConfigs.taskId, taskId), eq(taskPushConfigs.id, id))),
  )
}
