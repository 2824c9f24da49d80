import { TtlCache } from '../../auth/ttl-cache'
import type { Scope } from '../scope'
import { getTaskJson } from './queries'
import { taskFromJson } from './rows'
import { TERMINAL } from './states'
import type { TaskRow } from './store'

/**
 * How long a data centre serves a finished task from its cache. A finished task never changes
 * (a new message makes a new task); it can only go, with its workspace. That deletion clears
 * the entry where it runs, and this bounds how long another data centre may still show it.
 */
export const TASK_CACHE_SECONDS = 60

/** The edge cache where the runtime has one (a Worker or Durable Object; not a Node script). */
function edgeCache(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : caches.default
}

/**
 * This isolate's copy of the finished tasks it read: a hot one costs no round trip at all. A
 * copy read from Postgres lives as long as an edge entry; one from the edge cache 10 s, so a
 * deletion reaches every isolate within about a minute.
 */
const local = new TtlCache<Record<string, unknown>>(TASK_CACHE_SECONDS * 1000, 2000)
/** How long this isolate keeps what the edge cache gave it. */
const EDGE_HIT_MS = 10_000

/** Keyed by tenant, from the authenticated principal: one tenant's entry is never another's. */
const keyOf = (tenantId: string, taskId: string) =>
  `https://task-cache.codetether.invalid/${tenantId}/${encodeURIComponent(taskId)}`

/**
 * A task as a reader sees it (GetTask, REST and MCP reads): a finished one from the edge
 * cache, anything else from Postgres. Only a finished task is cached, so a read never shows a
 * state the task has left.
 */
export async function readTask(scope: Scope, id: string): Promise<TaskRow | undefined> {
  const key = keyOf(scope.tenantId, id)
  const mine = local.get(key)
  if (mine) return taskFromJson(mine)
  const cache = edgeCache()
  const hit = await cache?.match(key)
  if (hit) {
    const json = (await hit.json()) as Record<string, unknown>
    // Briefly: the edge entry may be near the end of its life already.
    local.set(key, json, EDGE_HIT_MS)
    return taskFromJson(json)
  }
  const json = await getTaskJson(scope, id)
  if (!json) return undefined
  const row = taskFromJson(json)
  if (!TERMINAL.includes(row.status)) return row
  local.set(key, json)
  if (cache) {
    const body = new Response(JSON.stringify(json), {
      headers: {
        'content-type': 'application/json',
        'cache-control': `max-age=${TASK_CACHE_SECONDS}`,
      },
    })
    scope.waitUntil(cache.put(key, body))
  }
  return row
}

/**
 * Deleted tasks leave this isolate and this data centre's cache at once (other isolates and
 * data centres within TASK_CACHE_SECONDS).
 */
export async function forgetTasks(tenantId: string, ids: string[]): Promise<void> {
  for (const id of ids) local.delete(keyOf(tenantId, id))
  const cache = edgeCache()
  if (!cache) return
  await Promise.all(ids.map((id) => cache.delete(keyOf(tenantId, id))))
}
