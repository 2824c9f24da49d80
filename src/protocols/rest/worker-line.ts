import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { WorkerLine } from '../../../durable-objects/worker-hub'
import { tokenWorker } from '../../auth/worker-identity'
import { type AppContext, type AppEnv, dbOf, principalOf } from '../../context'
import { leasedSse } from '../../domain/limits/open-streams'
import { workerModelKeys } from '../../domain/queue/workers'
import { servedBy } from '../../domain/workspaces/service'
import { notFound, validationHook } from '../../lib/errors'
import { workerHubOf } from '../../lib/live-objects'
import { body as jsonBody, route } from './openapi'
import { WorkerRouting } from './schemas/worker'
import { scopeOf, workerIdOf } from './scope'

/**
 * A worker's live line to the server: the task stream it keeps open
 * (/v1/worker/tasks/stream) and the codebases routed over it (/v1/worker/codebases). What
 * it does with the tasks it is sent, claims and releases, is worker-channel.ts.
 */
export const workerStream = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

/** The codebases a worker may be routed: a worker token only those it serves. */
async function routable(c: AppContext, workerId: string, named: string[]): Promise<string[]> {
  const ids = named.map((s) => s.trim()).filter(Boolean)
  const p = principalOf(c)
  return p.kind === 'worker_token' ? servedBy(scopeOf(c), workerId, ids) : ids
}

/**
 * The worker's task stream: `connected`, pending work replayed, `task_available` pushed as
 * tasks arrive, `heartbeat` every 15 s. Identity and routing from upstream's headers
 * (X-Agent-Name, X-Worker-ID, X-Codebases or X-Workspaces, X-Capabilities) or query; ours
 * add X-Agents, the coding CLIs the worker has.
 */
workerStream.get('/stream', async (c) => {
  const principal = principalOf(c)
  const pick = (header: string, query: string) => c.req.header(header) ?? c.req.query(query) ?? ''
  const list = (header: string, query: string) =>
    pick(header, query)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const named = pick('X-Worker-ID', 'worker_id') || undefined
  const workerId = (await tokenWorker(dbOf(c), principal, named)) ?? named ?? crypto.randomUUID()
  const namedCodebases = c.req.header('X-Workspaces') ?? pick('X-Codebases', 'codebases')
  const [codebases, models] = await Promise.all([
    routable(c, workerId, namedCodebases.split(',')),
    workerModelKeys(scopeOf(c), workerId),
  ])
  const line: WorkerLine = {
    workerId,
    agentName: pick('X-Agent-Name', 'agent_name'),
    codebases,
    capabilities: list('X-Capabilities', 'capabilities'),
    agents: list('X-Agents', 'agents'),
    models,
    after: Number(c.req.header('Last-Event-ID')) || 0,
  }
  return leasedSse(scopeOf(c), c.req.raw.signal, 'worker_tasks', () =>
    workerHubOf(c.env, principal.tenantId, workerId).feed(line),
  )
})

/** Upstream's PUT /v1/worker/codebases (served at /v1/worker/codebases by v1.ts). */
export const workerRouting = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
const Routing = z.object({
  worker_id: z.string().max(200).optional(),
  codebases: z.array(z.string().max(4096)).max(500).optional(),
  workspaces: z.array(z.string().max(4096)).max(500).optional(),
})
workerRouting.openapi(
  route('put', '/', jsonBody(Routing), WorkerRouting, 'Routing updated on the live stream'),
  async (c) => {
    const body = c.req.valid('json')
    const workerId = await workerIdOf(c, body)
    const codebases = await routable(c, workerId, body.workspaces ?? body.codebases ?? [])
    const tenantId = principalOf(c).tenantId
    const updated = await workerHubOf(c.env, tenantId, workerId).update(workerId, { codebases })
    if (updated === 0) throw notFound(`Connected worker ${workerId} (open the task stream first)`)
    return c.json({ success: true as const, worker_id: workerId, codebases }, 200)
  },
)
