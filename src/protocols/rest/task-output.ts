import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { AppEnv } from '../../context'
import { BRIEF_STREAM, leasedSse } from '../../domain/limits/open-streams'
import { openTaskStream } from '../../domain/live/publish'
import { appendOutput } from '../../domain/queue/lease'
import { outputLineOf, readEvents, type TaskEvent } from '../../domain/task-model/events'
import { getTask } from '../../domain/task-model/queries'
import { isTerminal } from '../../domain/task-model/states'
import { doneData } from '../../domain/task-model/stream-views'
import { notFound, validationHook } from '../../lib/errors'
import { sseResponse } from '../../lib/sse'
import { body, route } from './openapi'
import { TaskOutputPage, TaskOutputStored } from './schemas/task-output'
import { scopeOf, workerOf } from './scope'

/** /v1/agent/tasks/{id}/output: worker output, durable and ordered, replayable and live. */
export const taskOutputApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

/**
 * A page of GET output: lines by default and at most, and bytes at most (a line more when the
 * first alone is larger). A task may hold task_output_bytes of output (32 MiB by default, more
 * if its tenant sets it), which no single reply should carry, nor the Worker hold at once.
 */
const PAGE = 500
const MAX_PAGE = 2000
const PAGE_BYTES = 4 * 1024 * 1024

const Output = z
  .object({
    worker_id: z.string().min(1).max(200),
    output: z.string().max(1_000_000).optional(),
    /** Several lines in one request, in order. */
    lines: z.array(z.string().max(1_000_000)).min(1).max(1000).optional(),
    /** The worker's number of the first line (1-based within the attempt): makes resends safe. */
    line: z.number().int().positive().optional(),
    /**
     * The claim's attempt: output of a stale attempt never joins a newer one. The original
     * CodeTether's worker sends none; its lines are then fenced by the holder alone.
     */
    attempt: z.number().int().positive().optional(),
    timestamp: z.unknown().optional(),
  })
  .refine((b) => (b.output === undefined) !== (b.lines === undefined), {
    message: 'Send either output (one line) or lines (several)',
    path: ['output'],
  })
taskOutputApi.openapi(
  route(
    'post',
    '/{id}/output',
    { params: z.object({ id: z.string().min(1).max(200) }), ...body(Output) },
    TaskOutputStored,
    'Stored (duplicate: every line was already stored)',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    const b = c.req.valid('json')
    const lines = b.lines ?? [b.output ?? '']
    const worker = await workerOf(c, b.worker_id)
    const events = await appendOutput(scopeOf(c), id, worker, lines, {
      attempt: b.attempt,
      firstLine: b.line,
    })
    const seq = events.at(-1)?.seq ?? 0
    return c.json({ success: true as const, seq, duplicate: events.length === 0 }, 200)
  },
)

taskOutputApi.openapi(
  route(
    'get',
    '/{id}/output',
    {
      params: z.object({ id: z.string().min(1).max(200) }),
      query: z.object({
        since: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(PAGE),
      }),
    },
    TaskOutputPage,
    'A page of output after `since` (an event seq), oldest first',
  ),
  async (c) => {
    const { id } = c.req.valid('param')
    const { since, limit } = c.req.valid('query')
    const scope = scopeOf(c)
    if (!(await getTask(scope, id))) throw notFound(`Task ${id}`)
    // One more than the page: whether there is more, without counting the rest.
    const events = await readEvents(scope, id, since, {
      kind: 'output',
      limit: limit + 1,
      maxBytes: PAGE_BYTES,
    })
    const page: TaskEvent[] = []
    let bytes = 0
    for (const e of events) {
      const size = e.bytes ?? 0
      if (page.length === limit || (page.length > 0 && bytes + size > PAGE_BYTES)) break
      page.push(e)
      bytes += size
    }
    // Left out of the page, or the page reached the budget (readEvents read no further).
    const more = events.length > page.length || bytes >= PAGE_BYTES
    const outputs = page.map((e) => ({ seq: e.seq, ...outputLineOf(e) }))
    return c.json(
      { task_id: id, outputs, total: outputs.length, next_since: page.at(-1)?.seq ?? since, more },
      200,
    )
  },
)

/**
 * SSE: `output` events (id = seq) after `since` or Last-Event-ID, then live ones, then one
 * `done` with the final status. The task's TaskStream writes the SSE itself, once per event
 * for all its subscribers; this passes it through.
 */
taskOutputApi.get('/:id/output/stream', async (c) => {
  const id = c.req.param('id') ?? ''
  const scope = scopeOf(c)
  const task = await getTask(scope, id)
  if (!task) throw notFound(`Task ${id}`)
  const from = Number(c.req.header('Last-Event-ID') ?? c.req.query('since') ?? 0)
  const after = Number.isInteger(from) && from >= 0 ? from : 0
  if (isTerminal(task.status) && after >= task.lastSeq) {
    // Nothing left to replay: the ending alone.
    const status = task.status
    async function* done() {
      yield { event: 'done', data: doneData(id, status) }
    }
    return sseResponse(done(), { lease: BRIEF_STREAM, kind: 'task_output' })
  }
  return leasedSse(scope, c.req.raw.signal, 'task_output', () =>
    openTaskStream(c.env, scope.tenantId, id, after, 'output-sse'),
  )
})
