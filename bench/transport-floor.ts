/**
 * What one tenant-scoped SQL statement costs a request before any application code runs, for
 * each way of reaching Postgres in the A2A table: the Worker's (workerd, a subrequest in
 * Neon's SQL-over-HTTP protocol to the stack's endpoint) and the persisted peer's (Node, a
 * pooled `pg` connection). Each server does nothing else: set the tenant, `select 1`, answer.
 * A Worker that answers without the statement shows what the subrequest itself adds, and one
 * that asks the Node server instead (one plain subrequest, no Neon protocol, no endpoint of
 * ours) shows whether the stack's endpoint is what costs: it is not, the hop is.
 */
import { createServer } from 'node:http'
import pg from 'pg'
import { freePort } from '../scripts/stack/ports'
import { type Figure, httpGet, measureInTurns } from './lib'
import { serveScript } from './miniflare'

interface FloorBench {
  databaseUrl: string
  neonHttpUrl: string
  tenantId: string
  opts: { n: number; warmup: number }
  cleanups: (() => unknown)[]
}

const STATEMENT = 'select 1'

/** The Worker: one fetch in Neon's protocol, the batch the driver sends for a tenant query. */
const WORKER = `export default {
  async fetch(req, env) {
    const path = new URL(req.url).pathname
    if (path === '/none') return new Response('{}')
    if (path === '/node') return new Response(await (await fetch(env.NODE_URL)).text())
    const res = await fetch(env.NEON_HTTP_URL, {
      method: 'POST',
      headers: {
        'Neon-Connection-String': env.DATABASE_URL,
        'Neon-Raw-Text-Output': 'true',
        'Neon-Array-Mode': 'true',
      },
      body: JSON.stringify({ queries: [
        { query: "select set_config('app.tenant_id', $1, true)", params: [env.TENANT_ID] },
        { query: ${JSON.stringify(STATEMENT)}, params: [] },
      ] }),
    })
    if (!res.ok) return new Response(await res.text(), { status: 500 })
    return new Response(JSON.stringify((await res.json()).results[1].rows))
  },
}`

/**
 * The peer's way: a Node server with a pool. It sends Postgres what the stack's endpoint does
 * for the Worker's batch (one message: the transaction, the tenant, the statement), so the
 * two rows differ only in how the request reaches Postgres.
 */
async function serveNode(b: FloorBench): Promise<string> {
  if (!/^[0-9a-f-]{36}$/.test(b.tenantId)) throw new Error('tenant id must be a uuid')
  const pool = new pg.Pool({ connectionString: b.databaseUrl, max: 16 })
  const text = `begin; select set_config('app.tenant_id', '${b.tenantId}', true); ${STATEMENT}; commit`
  const server = createServer(async (_req, res) => {
    const client = await pool.connect()
    try {
      const results = (await client.query({
        text,
        rowMode: 'array',
      })) as unknown as pg.QueryResult[]
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(results[2]?.rows))
    } catch (err) {
      res.writeHead(500)
      res.end(String(err))
    } finally {
      client.release()
    }
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  b.cleanups.unshift(() => pool.end())
  b.cleanups.unshift(() => new Promise((r) => server.close(r)))
  return `http://127.0.0.1:${port}`
}

export async function transportFloorFigures(b: FloorBench): Promise<Figure[]> {
  const node = await serveNode(b)
  const worker = await serveScript(
    WORKER,
    {
      NEON_HTTP_URL: b.neonHttpUrl,
      DATABASE_URL: b.databaseUrl,
      TENANT_ID: b.tenantId,
      NODE_URL: `${node}/`,
    },
    b.cleanups,
  )
  // Each answers the statement's row, or 500 (which the measurement refuses).
  for (const url of [`${worker}/`, `${node}/`, `${worker}/node`]) {
    const text = await (await fetch(url)).text()
    if (text !== '[["1"]]' && text !== '[[1]]') throw new Error(`${url}: ${text.slice(0, 200)}`)
  }
  const NODE = 'floor: node + pg pool, one tenant statement'
  return measureInTurns(
    [
      { name: NODE, op: httpGet(`${node}/`) },
      {
        name: 'floor: worker + Neon HTTP, one tenant statement',
        op: httpGet(`${worker}/`),
        vs: NODE,
      },
      {
        name: 'floor: worker → the node server, one subrequest',
        op: httpGet(`${worker}/node`),
        vs: NODE,
      },
      { name: 'floor: worker, no statement', op: httpGet(`${worker}/none`), vs: NODE },
    ],
    { ...b.opts, concurrency: 1, turns: 5 },
  )
}
