/**
 * `npm run bench [-- --quick]`: starts a private stack and prints medians side by side with
 * their floors, measured in the same run. Results also go to bench/results/latest.json.
 *
 * The Worker is measured twice: through `wrangler dev` (whose port is a proxy: one more
 * workerd hop) and through Miniflare serving the same bundle directly, which is the figure
 * that says what the Worker itself costs.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import pg from 'pg'
import { buildPackages } from '../scripts/stack/build'
import { startTempStack } from '../scripts/stack/index'
import { freePort } from '../scripts/stack/ports'
import { ROOT, readEnvFile } from '../scripts/stack/wrangler'
import { a2aFigures } from './a2a'
import { authFigures } from './auth'
import { busFigures } from './bus'
import { fleetFigures, fleetTenant } from './fleet'
import { type Figure, httpGet, httpPost, measure, printTable } from './lib'
import { startMiniflare } from './miniflare'
import { fanoutFigures, queueFigures } from './queue'
import { replyFloorFigures } from './reply-floor'
import { streamFigures } from './stream'
import { transportFloorFigures } from './transport-floor'
import { uiFigures } from './ui'
import { workerFigures } from './worker'

const quick = process.argv.includes('--quick')
/**
 * `--only=worker,queue` runs just those groups: http, a2a, mcp, auth, bus, stream, queue, fleet,
 * worker, ui.
 */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const want = (group: string) => !only || only.includes(group)
const N = quick ? 300 : 2000
const WARMUP = quick ? 50 : 200
const log = (msg: string) => console.error(`[bench] ${msg}`)

async function main() {
  buildPackages()
  const { stack, dir, dispose } = await startTempStack('bench', log)
  const cleanups: (() => unknown)[] = [dispose]
  try {
    const { info } = stack
    const auth = { Authorization: `Bearer ${info.devToken}` }
    const workspaceId = await seedWorkspace(info.databaseUrl, info.tenantId, info.url, auth)

    /** The stack's Worker vars: every Miniflare below serves the bundle with these. */
    const vars = readEnvFile(join(dir, 'worker.env'))
    const served = await startMiniflare(dir, vars)
    cleanups.unshift(() => served.mf.dispose())
    const direct = served.base

    const bare = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'healthy', timestamp: new Date().toISOString() }))
    })
    const barePort = await freePort()
    await new Promise<void>((r) => bare.listen(barePort, '127.0.0.1', r))
    cleanups.unshift(() => new Promise((r) => bare.close(r)))

    const pool = new pg.Pool({ connectionString: info.databaseUrl, max: 8 })
    cleanups.unshift(() => pool.end())
    const pgRead = async () => {
      const client = await pool.connect()
      try {
        await client.query('begin')
        await client.query(`select set_config('app.tenant_id', $1, true)`, [info.tenantId])
        await client.query('select * from workspaces where id = $1', [workspaceId])
        await client.query('commit')
      } finally {
        client.release()
      }
    }

    const read = `/v1/agent/workspaces/${workspaceId}`
    const opts = { n: N, warmup: WARMUP }
    const figures: Figure[] = []
    const run = async (f: Promise<Figure>) => {
      const figure = await f
      log(`${figure.name}: p50 ${figure.p50.toFixed(2)} ms`)
      figures.push(figure)
    }
    if (want('http')) {
      await run(measure('node http: bare server', httpGet(`http://127.0.0.1:${barePort}/`), opts))
      await run(
        measure('worker direct: GET /health', httpGet(`${direct}/health`), {
          ...opts,
          vs: 'node http: bare server',
        }),
      )
      await run(measure('postgres: set tenant + select (pg, pooled)', pgRead, opts))
      await run(
        measure('worker direct: tenant read', httpGet(`${direct}${read}`, auth), {
          ...opts,
          vs: 'worker direct: GET /health',
        }),
      )
      await run(
        measure('worker direct: tenant read ×8', httpGet(`${direct}${read}`, auth), {
          ...opts,
          concurrency: 8,
          vs: 'worker direct: tenant read',
        }),
      )
      await run(
        measure('wrangler dev: GET /health', httpGet(`${info.url}/health`), {
          ...opts,
          vs: 'worker direct: GET /health',
        }),
      )
      await run(
        measure('wrangler dev: tenant read', httpGet(`${info.url}${read}`, auth), {
          ...opts,
          vs: 'wrangler dev: GET /health',
        }),
      )
    }

    if (want('a2a')) {
      const peer = await a2aFigures({
        direct,
        auth,
        ownerUrl: info.ownerDatabaseUrl,
        opts,
        run,
        cleanups,
      })
      // What the table's database round trips cost each side before any code of theirs runs.
      const floor = { ...info, opts, cleanups }
      for (const f of await transportFloorFigures(floor)) await run(Promise.resolve(f))
      // And what the card's reply costs workerd with no code of ours.
      for (const f of await replyFloorFigures({ direct, peer, opts, cleanups }))
        await run(Promise.resolve(f))
    }

    if (want('mcp')) {
      // One task, read over REST and as the MCP get_task tool, same Worker, same run.
      const created = await fetch(`${direct}/v1/agent/tasks`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'bench mcp' }),
      })
      const taskId = ((await created.json()) as { id: string }).id
      const restGet = 'worker direct: REST GET /v1/agent/tasks/{id}'
      await run(measure(restGet, httpGet(`${direct}/v1/agent/tasks/${taskId}`, auth), opts))
      const call = () =>
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'get_task', arguments: { task_id: taskId } },
        })
      const mcpHeaders = { ...auth, Accept: 'application/json, text/event-stream' }
      const found = (text: string) => {
        if (!text.includes(taskId) || text.includes('isError":true'))
          throw new Error(text.slice(0, 200))
      }
      await run(
        measure(
          'worker direct: MCP tools/call get_task',
          httpPost(`${direct}/mcp`, call, mcpHeaders, found),
          {
            ...opts,
            vs: restGet,
          },
        ),
      )
    }

    if (want('auth')) {
      for (const f of await authFigures(dir, vars, info.databaseUrl, auth, opts)) {
        log(`${f.name}: p50 ${f.p50.toFixed(2)} ms`)
        figures.push(f)
      }
    }

    /** Another Miniflare of the same bundle, with some of the stack's vars changed. */
    const serve = async (extra: Record<string, string>) => {
      const { mf, base } = await startMiniflare(dir, { ...vars, ...extra })
      cleanups.unshift(() => mf.dispose())
      return base
    }

    if (want('bus')) {
      // On the stack's bus objects (agents spread by name) and on one per tenant.
      const counts = { messages: quick ? 100 : 500, subscribers: 100, rounds: quick ? 50 : 200 }
      const shards = vars.BUS_SHARDS ?? '1'
      for (const [base, label] of [
        [direct, `${shards} objects`],
        [await serve({ BUS_SHARDS: '1' }), '1 object'],
      ] as const) {
        for (const f of await busFigures(base, auth, { ...counts, label })) {
          log(`${f.name}: p50 ${f.p50.toFixed(2)} ms`)
          figures.push(f)
        }
      }
    }

    if (want('worker')) {
      for (const f of await workerFigures(direct, auth, info.devToken, quick ? 20 : 100)) {
        log(`${f.name}: p50 ${f.p50.toFixed(2)} ${f.unit ?? 'ms'}`)
        figures.push(f)
      }
    }

    if (want('stream')) {
      for (const f of await streamFigures(
        direct,
        auth,
        info.databaseUrl,
        info.tenantId,
        quick ? 20 : 100,
      )) {
        log(`${f.name}: p50 ${f.p50.toFixed(2)} ms`)
        figures.push(f)
      }
    }

    if (want('queue')) {
      const db = { appUrl: info.databaseUrl, ownerUrl: info.ownerDatabaseUrl }
      for (const f of await queueFigures(direct, auth, db, info.tenantId, quick)) {
        log(`${f.name}: p50 ${f.p50.toFixed(2)} ms`)
        figures.push(f)
      }
      for (const f of await fanoutFigures(direct, auth, quick ? 200 : 1000, quick ? 3 : 10)) {
        log(`${f.name}: p50 ${f.p50.toFixed(2)} ms`)
        figures.push(f)
      }
    }

    if (want('fleet')) {
      // 2,000 worker streams on one tenant (the capacity model's load run, docs/capacity.md):
      // on the stack's hubs, on one hub, and on one hub that tells every worker of every task
      // (as before OFFER_FANOUT), each a Miniflare of the same bundle.
      const fleet = 2000
      const fanout = Number(vars.OFFER_FANOUT ?? 32)
      const hubs = Number(vars.HUB_SHARDS ?? 1)
      const setups = [
        { base: direct, label: `${hubs} hubs`, offered: Math.min(fleet, fanout * hubs) },
        { base: await serve({ HUB_SHARDS: '1' }), label: '1 hub', offered: fanout },
        {
          base: await serve({ HUB_SHARDS: '1', OFFER_FANOUT: String(fleet) }),
          label: '1 hub telling all',
          offered: fleet,
        },
      ]
      for (const s of setups) {
        const admin = await fleetTenant(info.ownerDatabaseUrl)
        const rounds = quick ? 30 : 200
        for (const f of await fleetFigures(s.base, admin, fleet, rounds, s.label, s.offered)) {
          log(`${f.name}: p50 ${f.p50.toFixed(2)} ms`)
          figures.push(f)
        }
      }
    }

    if (want('ui')) {
      // Through wrangler dev: it serves the static assets (gzipped), as Cloudflare would.
      for (const f of await uiFigures(info.url, info.devToken, quick ? 5 : 20)) {
        log(`${f.name}: p50 ${f.p50.toFixed(2)} ${f.unit ?? 'ms'}`)
        figures.push(f)
      }
    }

    console.log()
    printTable(figures)
    console.log(
      `\n'tenant read' = GET ${'/v1/agent/workspaces/{id}'} with a bearer token: auth, tenantQuery` +
        ' (set_config + select in one HTTP round trip to the Neon endpoint), JSON reply.',
    )
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
    writeFileSync(
      join(ROOT, 'bench/results/latest.json'),
      JSON.stringify({ date: new Date().toISOString(), quick, figures }, null, 2),
    )
  } finally {
    for (const cleanup of cleanups) await cleanup()
  }
}

async function seedWorkspace(
  appUrl: string,
  tenantId: string,
  url: string,
  auth: Record<string, string>,
): Promise<string> {
  const client = new pg.Client({ connectionString: appUrl })
  await client.connect()
  await client.query('begin')
  await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId])
  await client.query(`insert into workers (tenant_id, id, name) values ($1, 'bench', 'bench')`, [
    tenantId,
  ])
  await client.query('commit')
  await client.end()
  const res = await fetch(`${url}/v1/agent/workspaces`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', path: '/bench/repo', worker_id: 'bench' }),
  })
  if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { workspace: { id: string } }).workspace.id
}

// Exits once main's cleanups are done: a fleet's thousands of closed client sockets can keep
// the event loop alive for a while after.
main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message)
    process.exit(1)
  },
)
