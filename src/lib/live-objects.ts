import { configOf, type Env } from '../env'
import { shardOf } from './shard'

/**
 * The live objects (durable-objects/), each reached by the name of what it serves: a
 * tenant, or a tenant's task (task ids are unique only within a tenant, so two tenants'
 * tasks of one id never share an object). Calls are typed RPC; the objects that stream
 * return a ReadableStream.
 */
export const taskStreamOf = (env: Env, tenantId: string, taskId: string) =>
  env.TASK_STREAM.getByName(`${tenantId}/${taskId}`)

/**
 * A tenant's k-th object of a sharded kind. The first is named by the tenant alone, as the
 * one object per tenant was before the kind was sharded.
 */
const shardName = (tenantId: string, shard: number) =>
  shard === 0 ? tenantId : `${tenantId}/${shard}`

/**
 * The tenant's hub for what `key` names (a worker, a workspace). A tenant's worker streams
 * spread over HUB_SHARDS WorkerHub objects by a hash of the worker id, so that a fleet adds
 * objects rather than load on one; the UIs' views of workspaces spread over the same hubs
 * by workspace id.
 */
const hubOf = (env: Env, tenantId: string, key: string) =>
  env.WORKER_HUB.getByName(shardName(tenantId, shardOf(key, configOf(env).HUB_SHARDS)))

/** The hub that holds this worker's streams. */
export const workerHubOf = (env: Env, tenantId: string, workerId: string) =>
  hubOf(env, tenantId, workerId)

/** The hub that holds the UIs' views of this workspace's tasks. */
export const workspaceHubOf = (env: Env, tenantId: string, workspaceId: string) =>
  hubOf(env, tenantId, workspaceId)

/** Every hub of the tenant: a task any worker may take is offered in each. */
export const workerHubs = (env: Env, tenantId: string) =>
  Array.from({ length: configOf(env).HUB_SHARDS }, (_, k) =>
    env.WORKER_HUB.getByName(shardName(tenantId, k)),
  )

/**
 * The name of the AgentBus shard for `key`: an agent's name (its streams and what is
 * delivered to it), or a message id (a request waiting for the reply). A tenant's agents
 * and requests spread over BUS_SHARDS objects by a hash of the key.
 */
export const busShardName = (env: Env, tenantId: string, key: string) =>
  shardName(tenantId, shardOf(key, configOf(env).BUS_SHARDS))

/** The AgentBus shard that serves `agent`. */
export const agentBusOf = (env: Env, tenantId: string, agent: string) =>
  env.AGENT_BUS.getByName(busShardName(env, tenantId, agent))

/**
 * The AgentBus shard where a request waits for the reply to the message `messageId`: asks
 * spread by message, not by asker, since one asker (A2A's "a2a") may ask for everyone.
 */
export const replyBusOf = (env: Env, tenantId: string, messageId: string) =>
  env.AGENT_BUS.getByName(busShardName(env, tenantId, messageId))

/**
 * The name of the AgentBus shard that matches events to the tenant's topic subscriptions (the
 * first): a pattern may match any agent, so one object holds them all and hands each match to
 * its agent's shard.
 */
export const topicBusName = (tenantId: string) => shardName(tenantId, 0)

export const topicBusOf = (env: Env, tenantId: string) =>
  env.AGENT_BUS.getByName(topicBusName(tenantId))

export const schedulerOf = (env: Env, tenantId: string) => env.SCHEDULER.getByName(tenantId)
