import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import {
  getWorker,
  heartbeat,
  listWorkers,
  onlineModels,
  registerWorker,
  unregisterWorker,
  workerView,
} from '../../domain/queue/workers'
import { notFound, validationHook } from '../../lib/errors'
import { body, route } from './openapi'
import { OnlineModels, Worker, WorkerRegistered } from './schemas/worker'
import { scopeOf, workerOf } from './scope'

/** /v1/agent/workers: workers register, heartbeat and leave; users list them. */
export const workersApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const WorkerId = z.object({ id: z.string().min(1).max(200) })

/**
 * A model a worker offers: `provider/model`, or upstream's object naming it. Every field is
 * checked here, so a bad report is this request's 400 and never a later reader's 500.
 */
const Name = z.string().min(1).max(200)
const Model = z.union([
  Name,
  z
    .object({
      id: Name,
      name: z.string().max(200).optional(),
      provider: z.string().max(100).optional(),
      provider_id: z.string().max(100).optional(),
      input_cost_per_million: z.number().nonnegative().optional(),
      output_cost_per_million: z.number().nonnegative().optional(),
      // Ours name them; the original's worker says which it has ({tool_call: true, …}).
      capabilities: z
        .union([z.array(z.string().max(100)).max(50), z.record(z.string().max(100), z.boolean())])
        .optional(),
    })
    // Upstream's workers add fields of their own (context sizes, limits): kept as sent.
    .catchall(z.unknown()),
])
/** The coding agents it runs: names (ours), or upstream's agent definitions. */
const AgentOffer = z.union([
  Name,
  z.object({ name: Name, description: z.string().max(2000).optional() }).catchall(z.unknown()),
])

const Register = z
  .object({
    worker_id: z.string().min(1).max(200),
    name: z.string().min(1).max(200),
    hostname: z.string().max(255).optional(),
    capabilities: z.array(z.string().max(100)).max(100).default([]),
    models: z.array(Model).max(500).default([]),
    agents: z.array(AgentOffer).max(100).default([]),
  })
  .openapi('RegisterWorker')

workersApi.openapi(
  route('post', '/register', body(Register), WorkerRegistered, 'Registered'),
  async (c) => {
    const b = c.req.valid('json')
    const row = await registerWorker(scopeOf(c), {
      id: await workerOf(c, b.worker_id),
      name: b.name,
      hostname: b.hostname,
      capabilities: b.capabilities,
      models: b.models,
      agents: b.agents,
    })
    return c.json({ success: true as const, worker: workerView(row) }, 200)
  },
)

workersApi.openapi(
  route(
    'post',
    '/{id}/heartbeat',
    {
      params: WorkerId,
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z
              .object({
                /** The tasks it is running: only their leases are extended. */
                running: z.array(z.string().min(1).max(200)).max(1000).optional(),
              })
              .passthrough(),
          },
        },
      },
    },
    z.object({ success: z.literal(true) }),
    'Seen; held leases extended',
  ),
  async (c) => {
    const id = await workerOf(c, c.req.valid('param').id)
    const scope = scopeOf(c)
    if (!(await heartbeat(scope, id, scope.config.LEASE_SECONDS, c.req.valid('json')?.running))) {
      throw notFound(`Worker ${id} (register again)`)
    }
    return c.json({ success: true as const }, 200)
  },
)

workersApi.openapi(
  route(
    'post',
    '/{id}/unregister',
    { params: WorkerId },
    z.object({ success: z.literal(true) }),
    'Gone',
  ),
  async (c) => {
    const id = await workerOf(c, c.req.valid('param').id)
    if (!(await unregisterWorker(scopeOf(c), id))) throw notFound(`Worker ${id}`)
    return c.json({ success: true as const }, 200)
  },
)

workersApi.openapi(
  route(
    'get',
    '/',
    {
      query: z.object({
        online_only: z.enum(['true', 'false']).default('false'),
        exclude_offline_hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 365)
          .default(24),
      }),
    },
    z.array(Worker),
    'Workers, most recently seen first',
  ),
  async (c) => {
    const q = c.req.valid('query')
    const rows = await listWorkers(scopeOf(c), {
      onlineOnly: q.online_only === 'true',
      hideAfterHours: q.exclude_offline_hours,
    })
    return c.json(rows.map(workerView), 200)
  },
)

workersApi.openapi(route('get', '/{id}', { params: WorkerId }, Worker, 'The worker'), async (c) => {
  const { id } = c.req.valid('param')
  const row = await getWorker(scopeOf(c), id)
  if (!row) throw notFound(`Worker ${id}`)
  return c.json(workerView(row), 200)
})

/** GET /v1/agent/models: the union of the models online workers advertise. */
export const modelsApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
modelsApi.openapi(route('get', '/', undefined, OnlineModels, 'Models'), async (c) => {
  const models = await onlineModels(scopeOf(c))
  return c.json({ models, default: models[0] ?? null }, 200)
})
