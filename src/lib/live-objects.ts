import type { Env } from '../env'

/**
 * The live objects (durable-objects/), each reached by the name of what it serves: a
 * tenant, or a tenant's task (task ids are unique only within a tenant, so two tenants'
 * tasks of one id never share an object). Calls are typed RPC; the objects that stream
 * return a ReadableStream.
 */
export const taskStreamOf = (env: Env, tenantId: string, taskId: string) =>
  env.TASK_STREAM.getByName(`${tenantId}/${taskId}`)

export const workerHubOf = (env: Env, tenantId: string) => env.WORKER_HUB.getByName(tenantId)

export const agentBusOf = (env: Env, tenantId: string) => env.AGENT_BUS.getByName(tenantId)

export const schedulerOf = (env: Env, tenantId: string) => env.SCHEDULER.getByName(tenantId)
