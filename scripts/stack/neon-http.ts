/**
 * Neon's SQL-over-HTTP protocol, served locally in front of a real Postgres so that the
 * Worker's `@neondatabase/serverless` driver runs unchanged (neonConfig.fetchEndpoint).
 *
 * POST /sql with `Neon-Connection-String`, body `{query, params}` or `{queries: [...]}`
 * (a batch, run in one transaction with the `Neon-Batch-*` options). Values travel as
 * Postgres text; the driver parses them by the returned field type ids.
 */
import type { Server } from 'node:http'
import pg from 'pg'
import { listen, readBody, sendJson } from './http'
import { inlineParams } from './inline-params'

interface Query {
  query: string
  params?: (string | null)[]
}

const rawText = { getTypeParser: () => (value: string) => value }
const errorFields = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const

export function startNeonHttp(port: number): Promise<Server & { closePools(): Promise<void> }> {
  const pools = new Map<string, pg.Pool>()
  const poolFor = (connectionString: string) => {
    let pool = pools.get(connectionString)
    if (!pool) {
      const url = new URL(connectionString)
      if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
        throw new Error(`refusing to proxy to ${url.hostname}: local databases only`)
      }
      pool = new pg.Pool({ connectionString, max: 20, idleTimeoutMillis: 60_000 })
      pool.on('error', () => {}) // a dropped idle connection is replaced on next use
      pools.set(connectionString, pool)
    }
    return pool
  }

  const server = listen(port, async (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/sql')) {
      return sendJson(res, 404, { message: 'not found' })
    }
    const connectionString = req.headers['neon-connection-string']
    if (typeof connectionString !== 'string') {
      return sendJson(res, 400, { message: 'missing Neon-Connection-String header' })
    }
    let body: Query & { queries?: Query[] }
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      return sendJson(res, 400, { message: 'body is not JSON' })
    }
    let client: pg.PoolClient
    try {
      client = await poolFor(connectionString).connect()
    } catch (err) {
      return sendJson(res, 400, pgError(err))
    }
    let inTransaction = false
    try {
      if (Array.isArray(body.queries)) {
        // One round trip for the whole batch, as Neon pipelines it: the statements and the
        // transaction around them as one simple-protocol message.
        const statements = body.queries.map((q) => inlineParams(q.query, q.params ?? []))
        inTransaction = true
        const raw = await client.query({
          text: [beginStatement(req.headers), ...statements, 'commit'].join(';\n'),
          rowMode: 'array',
          types: rawText,
        } as pg.QueryConfig)
        inTransaction = false
        const all = (Array.isArray(raw) ? raw : [raw]) as pg.QueryArrayResult[]
        sendJson(res, 200, { results: all.slice(1, -1).map(resultJson) })
      } else {
        sendJson(res, 200, await run(client, body))
      }
    } catch (err) {
      if (inTransaction) await client.query('rollback').catch(() => {})
      sendJson(res, 400, pgError(err))
    } finally {
      client.release()
    }
  })
  return server.then((s) =>
    Object.assign(s, {
      async closePools() {
        await Promise.all([...pools.values()].map((p) => p.end()))
      },
    }),
  )
}

async function run(client: pg.PoolClient, q: Query) {
  return resultJson(
    await client.query({ text: q.query, values: q.params ?? [], rowMode: 'array', types: rawText }),
  )
}

function resultJson(r: pg.QueryResult<unknown[]>) {
  return {
    command: r.command,
    rowCount: r.rowCount,
    rows: r.rows,
    fields: r.fields.map((f) => ({
      name: f.name,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeID: f.dataTypeID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: f.format,
    })),
    rowAsArray: true,
  }
}

function beginStatement(headers: Record<string, string | string[] | undefined>): string {
  const levels: Record<string, string> = {
    Serializable: 'serializable',
    RepeatableRead: 'repeatable read',
    ReadCommitted: 'read committed',
    ReadUncommitted: 'read uncommitted',
  }
  const parts = ['begin']
  const level = levels[String(headers['neon-batch-isolation-level'])]
  if (level) parts.push(`isolation level ${level}`)
  if (headers['neon-batch-read-only'] === 'true') parts.push('read only')
  if (headers['neon-batch-deferrable'] === 'true') parts.push('deferrable')
  return parts.join(' ')
}

function pgError(err: unknown): Record<string, unknown> {
  const e = err as Record<string, unknown> & Error
  const out: Record<string, unknown> = { message: e.message }
  for (const f of errorFields) if (e[f] !== undefined) out[f] = e[f]
  return out
}
