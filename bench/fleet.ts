/**
 * A fleet on one tenant: `streams` connected worker task streams (GET /v1/worker/tasks/stream),
 * each a worker with its own worker token as a deployed fleet has them, then tasks
 * dispatched through them: a task for one worker (created → task_available at that worker)
 * and a task any of them may take (created → every stream has it). The CPU per dispatch by
 * program is the objects' (workerd) and the client's (node).
 */
import { createHash, randomBytes } from 'node:crypto'
import pg from 'pg'
import { cpuPerOp, cpuSnapshot } from './cpu'
import { type Figure, latencyFigure } from './lib'
import { openStream } from './stream'

async function call(url: string, headers: Record<string, string>, method: string, body: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
  return res.json() as Promise<Record<string, unknown>>
}

/**
 * A tenant of the fleet's own, and an admin key of it (made as an operator makes them): no
 * other group's pending tasks are replayed to its workers.
 */
export async function fleetTenant(ownerUrl: string): Promise<Record<string, string>> {
  const owner = new pg.Client({ connectionString: ownerUrl })
  await owner.connect()
  try {
    const slug = `fleet-${crypto.randomUUID().slice(0, 8)}`
    const { rows } = await owner.query<{ id: string }>('select app.create_tenant($1, $1) as id', [
      slug,
    ])
    const key = `ct_${randomBytes(24).toString('base64url')}`
    await owner.query('begin')
    await owner.query(`select set_config('app.tenant_id', $1, true)`, [rows[0]?.id])
    await owner.query(
      `insert into api_keys (tenant_id, name, key_hash, key_prefix, role)
         values ($1, 'fleet', $2, 'ct_fleet', 'admin')`,
      [rows[0]?.id, createHash('sha256').update(key).digest()],
    )
    await owner.query('commit')
    return { Authorization: `Bearer ${key}` }
  } finally {
    await owner.end()
  }
}

export async function fleetFigures(
  base: string,
  auth: Record<string, string>,
  streams: number,
  rounds: number,
  /** What serves them, for the figures' names (e.g. "4 hubs"). */
  label: string,
  /** How many streams a task for any worker is offered to there. */
  offered: number,
): Promise<Figure[]> {
  await call(`${base}/v1/limits`, auth, 'PUT', {
    open_streams_per_tenant: Math.min(5000, streams + 100),
  })
  const fleet = `fleet-${crypto.randomUUID().slice(0, 6)}`
  const workerIds = Array.from({ length: streams }, (_, i) => `${fleet}-${i}`)
  const tokens: Record<string, string>[] = []
  for (let i = 0; i < streams; i += 16) {
    const made = await Promise.all(
      workerIds
        .slice(i, i + 16)
        .map((id) =>
          call(`${base}/v1/auth/worker-tokens`, auth, 'POST', { name: id, worker_id: id }),
        ),
    )
    tokens.push(...made.map((m) => ({ Authorization: `Bearer ${m.token}` })))
  }
  const open: Awaited<ReturnType<typeof openStream>>[] = []
  const t0 = performance.now()
  for (let i = 0; i < streams; i += 50) {
    const batch = workerIds.slice(i, i + 50).map((id, j) =>
      openStream(`${base}/v1/worker/tasks/stream`, undefined, {
        ...(tokens[i + j] as Record<string, string>),
        'X-Worker-ID': id,
        'X-Codebases': 'global',
      }),
    )
    open.push(...(await Promise.all(batch)))
  }
  let connected = 0
  const all = Promise.all(open.map((s) => s.firstAt.then(() => connected++)))
  const late = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${connected} of ${streams} streams connected`)), 120_000),
  )
  await Promise.race([all, late])
  const connectMs = performance.now() - t0
  const figures: Figure[] = []
  try {
    // One worker's task: the hub looks at every stream to find it.
    const one: number[] = []
    const before = cpuSnapshot()
    for (let r = 0; r < rounds; r++) {
      const i = Math.floor(Math.random() * streams)
      const marker = `fleet-one-${crypto.randomUUID()}`
      const arrived = open[i]?.waitFor(marker)
      const sent = performance.now()
      await call(`${base}/v1/agent/tasks`, auth, 'POST', {
        prompt: marker,
        target_worker_id: workerIds[i],
      })
      one.push(((await arrived) as number) - sent)
    }
    figures.push({
      ...latencyFigure(
        `fleet, ${label}: task for 1 of ${streams} connected workers → its stream`,
        one,
      ),
      cpu: cpuPerOp(before, cpuSnapshot(), rounds),
    })

    // A task any of them may take: told to `offered` streams (OFFER_FANOUT per hub).
    const each: number[] = []
    const last: number[] = []
    const broadcastRounds = Math.max(3, Math.floor(rounds / 10))
    const beforeAll = cpuSnapshot()
    for (let r = 0; r < broadcastRounds; r++) {
      const marker = `fleet-all-${crypto.randomUUID()}`
      const times: number[] = []
      let sent = 0
      const told = new Promise<void>((resolve) => {
        for (const s of open)
          void s.waitFor(marker).then((at) => {
            times.push(at - sent)
            if (times.length === offered) resolve()
          })
      })
      sent = performance.now()
      await call(`${base}/v1/agent/tasks`, auth, 'POST', { prompt: marker })
      await told
      each.push(...times)
      last.push(Math.max(...times))
    }
    figures.push(
      {
        ...latencyFigure(`fleet, ${label}: task for any → each of the ${offered} told`, each),
        cpu: cpuPerOp(beforeAll, cpuSnapshot(), broadcastRounds),
      },
      latencyFigure(`fleet, ${label}: task for any → the last of the ${offered} told`, last),
      latencyFigure(`fleet, ${label}: ${streams} worker streams connected (whole fleet)`, [
        connectMs,
      ]),
    )
  } finally {
    for (const s of open) s.close()
  }
  return figures
}
