/**
 * Queue figures: task created → task_available at a connected worker, and the throughput of
 * 16 simulated workers over HTTP (claim and release as two requests; a release that claims
 * the next in one) beside the raw SKIP LOCKED claim/complete rate of the same Postgres (the
 * floor).
 */
import { request } from 'node:http'
import pg from 'pg'
import { type Figure, latencyFigure, measure } from './lib'
import { sseFloorFigure } from './sse-floor'
import { fanoutLatencies, openStream } from './stream'

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })

async function withTenantClient<T>(
  appUrl: string,
  tenantId: string,
  fn: (c: pg.Client) => Promise<T>,
) {
  const client = new pg.Client({ connectionString: appUrl })
  await client.connect()
  try {
    await client.query('begin')
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId])
    const out = await fn(client)
    await client.query('commit')
    return out
  } finally {
    await client.end()
  }
}

/**
 * n queued tasks made in one statement (their own pool, so the bench never races other work),
 * then the table's statistics refreshed as autovacuum would in a database in steady state:
 * without them the planner, facing a table that grew from nothing within the last second,
 * may find a task by id through a tenant-wide index scan instead of the primary key.
 */
async function seedTasks(
  db: { appUrl: string; ownerUrl: string },
  tenantId: string,
  n: number,
  pool: string,
): Promise<string[]> {
  const ids = await withTenantClient(db.appUrl, tenantId, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      `insert into tasks (tenant_id, id, prompt, agent_type, last_seq)
       select $1, $2 || '-' || g, 'bench', $2, 0 from generate_series(1, $3) g returning id`,
      [tenantId, pool, n],
    )
    return rows.map((r) => r.id)
  })
  const owner = new pg.Client({ connectionString: db.ownerUrl })
  await owner.connect()
  try {
    await owner.query('analyze tasks, task_events')
  } finally {
    await owner.end()
  }
  return ids
}

export async function queueFigures(
  base: string,
  headers: Record<string, string>,
  db: { appUrl: string; ownerUrl: string },
  tenantId: string,
  quick: boolean,
) {
  const figures: Figure[] = []
  const worker = `bench-${crypto.randomUUID().slice(0, 8)}`
  await post(`${base}/v1/agent/workers/register`, headers, { worker_id: worker, name: worker })

  // Dispatch: created → task_available at a connected worker.
  const stream = await openStream(`${base}/v1/worker/tasks/stream`, undefined, {
    ...headers,
    'X-Worker-ID': worker,
    'X-Codebases': 'global',
  })
  await stream.firstAt
  const dispatch: number[] = []
  for (let i = 0; i < (quick ? 30 : 200); i++) {
    const marker = `dispatch-${crypto.randomUUID()}`
    const arrived = stream.waitFor(marker)
    const t0 = performance.now()
    await post(`${base}/v1/agent/tasks`, headers, { prompt: marker, required_capabilities: [] })
    dispatch.push((await arrived) - t0)
  }
  stream.close()
  figures.push(latencyFigure('queue: task created → task_available', dispatch))

  // Throughput: claim + release, 16 workers over HTTP.
  const n = quick ? 320 : 1600
  const ids = await seedTasks(db, tenantId, n, `q-${crypto.randomUUID().slice(0, 8)}`)
  let next = 0
  const claimRelease = async () => {
    const id = ids[next++] as string
    const wid = { ...headers, 'X-Worker-ID': worker }
    const claimed = await post(`${base}/v1/worker/tasks/claim`, wid, { task_id: id })
    if (claimed.status !== 200)
      throw new Error(`claim ${claimed.status}: ${claimed.text.slice(0, 200)}`)
    const released = await post(`${base}/v1/worker/tasks/release`, wid, {
      task_id: id,
      status: 'completed',
      attempt: 1,
    })
    if (released.status !== 200)
      throw new Error(`release ${released.status}: ${released.text.slice(0, 200)}`)
  }
  const floorName = 'queue: raw SKIP LOCKED claim + complete ×16 (pg)'
  figures.push(
    await measure('queue: claim + release over HTTP ×16', claimRelease, {
      n: n - 16,
      warmup: 16,
      concurrency: 16,
      vs: floorName,
    }),
  )

  // One request per task: the result of one and the claim of the next (claim_next), as a
  // worker with a backlog of offers sends it. Every worker is offered the same tasks, so the
  // 16 name overlapping offers (the oldest 32 not known taken) and the server splits them.
  const pending = new Set(
    await seedTasks(db, tenantId, n + 64, `n-${crypto.randomUUID().slice(0, 8)}`),
  )
  const wid = { ...headers, 'X-Worker-ID': worker }
  const offers = () => [...pending].slice(0, 32)
  type Held = { task_id: string; attempt: number }
  const taken = (claims: Held[]) => {
    for (const c of claims) pending.delete(c.task_id)
    return claims
  }
  const first = await post(`${base}/v1/worker/tasks/claims`, wid, { task_ids: offers(), max: 16 })
  const held = taken((JSON.parse(first.text) as { claims: Held[] }).claims)
  const completeNext = async () => {
    const mine = held.pop()
    if (!mine) throw new Error('no task held')
    const res = await post(`${base}/v1/worker/tasks/release`, wid, {
      task_id: mine.task_id,
      status: 'completed',
      attempt: mine.attempt,
      claim_next: { task_ids: offers(), max: 1 },
    })
    if (res.status !== 200) throw new Error(`release ${res.status}: ${res.text.slice(0, 200)}`)
    const next = taken((JSON.parse(res.text) as { claims: Held[] }).claims)[0]
    if (!next) throw new Error('nothing claimed next')
    held.push(next)
  }
  figures.push(
    await measure('queue: complete + claim next, one request ×16', completeNext, {
      n: n - 16,
      warmup: 16,
      concurrency: 16,
      vs: floorName,
    }),
  )

  // The floor: the same Postgres, claim with SKIP LOCKED and complete, 16 clients.
  const pool = `f-${crypto.randomUUID().slice(0, 8)}`
  await seedTasks(db, tenantId, n, pool)
  const pgPool = new pg.Pool({ connectionString: db.appUrl, max: 16 })
  const raw = async () => {
    const c = await pgPool.connect()
    try {
      await c.query('begin')
      await c.query(`select set_config('app.tenant_id', $1, true)`, [tenantId])
      const { rows } = await c.query(
        `update tasks set status = 'working', attempt = attempt + 1 where id = (
           select id from tasks where status = 'submitted' and agent_type = $1
            order by priority desc, created_at for update skip locked limit 1) returning id`,
        [pool],
      )
      await c.query(`update tasks set status = 'completed' where id = $1`, [rows[0]?.id])
      await c.query('commit')
    } finally {
      c.release()
    }
  }
  figures.push(await measure(floorName, raw, { n: n - 16, warmup: 16, concurrency: 16 }))
  await pgPool.end()
  return figures
}

/** One output chunk to many SSE subscribers of one task: time until each has it. */
export async function fanoutFigures(
  base: string,
  headers: Record<string, string>,
  subscribers: number,
  rounds: number,
) {
  const worker = `fan-${crypto.randomUUID().slice(0, 8)}`
  await post(`${base}/v1/agent/workers/register`, headers, { worker_id: worker, name: worker })
  const created = JSON.parse(
    (await post(`${base}/v1/agent/tasks`, headers, { prompt: 'fan-out' })).text,
  ) as { id: string }
  await post(
    `${base}/v1/worker/tasks/claim`,
    { ...headers, 'X-Worker-ID': worker },
    { task_id: created.id },
  )
  const output = `${base}/v1/agent/tasks/${created.id}/output`
  const latencies = await fanoutLatencies(
    `${output}/stream`,
    headers,
    // The wait lets every subscription reach the TaskStream.
    { subscribers, rounds, settleMs: 500 },
    (marker) => post(output, headers, { worker_id: worker, output: marker, attempt: 1 }),
  )
  const floor = `floor: node http, one chunk → ${subscribers} SSE subscribers (each)`
  return [
    latencyFigure(`output: one chunk → ${subscribers} SSE subscribers (each)`, latencies, {
      vs: floor,
    }),
    await sseFloorFigure(subscribers, rounds, floor),
  ]
}
