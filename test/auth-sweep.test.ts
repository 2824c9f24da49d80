/**
 * The tenant-leak sweep: tenant A fills every kind of row with a marker; tenant B's admin
 * then calls every authenticated route of the permission table and every MCP tool on A's
 * ids. Nothing of A's may come back, and nothing of A's may change. Tenants come from a
 * token claim here (OIDC_TENANT_CLAIM), the other way of mapping issuers to tenants.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ROUTE_PERMISSIONS } from '../src/auth/permissions'
import { type FakeIdp, startFakeIdp } from './fakes/oidc-server'
import { stack, stackVars, startTestWorker } from './helpers'

const MARKER = `LEAK-${Math.random().toString(36).slice(2, 10)}`
let idp: FakeIdp
let server: Awaited<ReturnType<typeof startTestWorker>>
let alice: string
let mallory: string
const ids: Record<string, string> = {}

const call = async (method: string, path: string, token: string, json?: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
      'A2A-Version': '1.0',
    },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(5000),
  })
  // Streams are read for a moment only: a leak would be in their first events.
  const text = await readSome(res)
  return { status: res.status, text }
}

async function readSome(res: Response): Promise<string> {
  if (!res.headers.get('Content-Type')?.includes('text/event-stream')) return res.text()
  const reader = res.body?.getReader()
  let text = ''
  const stop = setTimeout(() => void reader?.cancel(), 500)
  try {
    for (;;) {
      const chunk = await reader?.read()
      if (!chunk || chunk.done) break
      text += new TextDecoder().decode(chunk.value)
    }
  } catch {}
  clearTimeout(stop)
  return text
}

const ok = async (method: string, path: string, json?: unknown) => {
  const res = await call(method, path, alice, json)
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`)
  return JSON.parse(res.text) as Record<string, unknown>
}

before(async () => {
  const slug = (s: string) => `${s}-${MARKER.slice(5).toLowerCase()}`
  idp = await startFakeIdp({
    users: [
      {
        username: 'alice',
        password: 'a',
        sub: 'alice',
        roles: ['admin'],
        claims: { ct_tenant: slug('a') },
      },
      {
        username: 'mallory',
        password: 'm',
        sub: 'mallory',
        roles: ['admin'],
        claims: { ct_tenant: slug('b') },
      },
    ],
  })
  server = await startTestWorker('auth-sweep', {
    ...stackVars(),
    AUTH_MODE: 'production',
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_TENANT_CLAIM: 'ct_tenant',
  })
  for (const s of ['a', 'b']) {
    const res = await call('POST', '/v1/tenants', stack().devToken, {
      slug: slug(s),
      display_name: s,
    })
    assert.equal(res.status, 200, res.text)
  }
  alice = await idp.accessToken('alice')
  mallory = await idp.accessToken('mallory')

  // Tenant A's rows, each carrying the marker.
  // Ids are not marked: a 404 may rightly echo the id it was asked for.
  ids.worker = `w-${crypto.randomUUID()}`
  await ok('POST', '/v1/agent/workers/register', { worker_id: ids.worker, name: MARKER })
  const ws = await ok('POST', '/v1/agent/codebases', {
    name: MARKER,
    path: `/src/${MARKER}`,
    worker_id: ids.worker,
  })
  ids.workspace = (ws.workspace as { id: string }).id
  ids.task = (await ok('POST', `/v1/agent/codebases/${ids.workspace}/tasks`, { prompt: MARKER }))
    .id as string
  const a2a = await ok('POST', '/v1/a2a', {
    jsonrpc: '2.0',
    id: 1,
    method: 'SendMessage',
    params: {
      message: { messageId: MARKER, role: 'ROLE_USER', parts: [{ text: `remember ${MARKER}` }] },
    },
  })
  ids.a2aTask = (a2a.result as { task?: { id: string } }).task?.id ?? ids.task
  ids.cron = (
    await ok('POST', '/v1/cronjobs', {
      name: MARKER,
      cron_expression: '0 0 1 1 *',
      task_template: { prompt: MARKER },
    })
  ).id as string
  ids.key = (await ok('POST', '/v1/auth/api-keys', { name: MARKER })).id as string
  ids.workerToken = (await ok('POST', '/v1/auth/worker-tokens', { name: MARKER })).id as string
})

after(async () => {
  await server?.worker.stop()
  await idp?.close()
})

/** A path of the table with every parameter replaced by one of A's ids. */
function concrete(path: string, id: string): string {
  return path.replace(/:(\w+)(\{[^}]*\})?/g, (_, _name, pattern) =>
    pattern ? 'message:send' : encodeURIComponent(id),
  )
}

test("B's admin calls every route on A's ids and gets nothing of A's", async () => {
  let calls = 0
  const targets = Object.values(ids)
  for (const [method, path] of ROUTE_PERMISSIONS) {
    if (path === '/v1/auth/logout') continue // ends the caller's own session only
    const methods = method === 'ALL' ? ['GET', 'POST'] : [method]
    const paths = path.includes(':') ? targets.map((id) => concrete(path, id)) : [path]
    for (const m of methods) {
      for (const p of paths) {
        const id = p.split('/').pop() ?? ''
        const body = m === 'GET' || m === 'DELETE' ? undefined : bodyFor(id)
        const res = await call(m, p, mallory, body)
        calls++
        assert.ok(res.status < 500, `${m} ${p}: ${res.status} ${res.text.slice(0, 200)}`)
        assert.ok(!res.text.includes(MARKER), `${m} ${p} leaked: ${res.text.slice(0, 300)}`)
      }
    }
  }
  assert.ok(calls > 150, `only ${calls} calls`)
})

/** A body that names A's rows wherever a route could take an id. */
const bodyFor = (id: string) => ({
  task_id: ids.task,
  id: ids.task,
  workspace_id: ids.workspace,
  codebase_id: ids.workspace,
  worker_id: ids.worker,
  attempt: 1,
  status: 'completed',
  output: 'x',
  prompt: 'sweep',
  name: `sweep-${id.slice(0, 8)}`,
  jsonrpc: '2.0',
  method: 'GetTask',
  params: { id: ids.a2aTask ?? ids.task },
})

test("B's MCP tools see nothing of A's", async () => {
  const client = new Client({ name: 'sweep', version: '1.0.0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
      requestInit: { headers: { Authorization: `Bearer ${mallory}` } },
    }),
  )
  try {
    const { tools } = await client.listTools()
    assert.ok(tools.length > 15)
    for (const t of tools) {
      for (const target of [ids.task, ids.workspace, ids.a2aTask, ids.cron]) {
        const args: Record<string, unknown> = {}
        for (const [name, schema] of Object.entries(t.inputSchema.properties ?? {})) {
          const type = (schema as { type?: string }).type
          args[name] = /id$/.test(name)
            ? target
            : type === 'number' || type === 'integer'
              ? 1
              : type === 'boolean'
                ? false
                : 'sweep'
        }
        const result = await client.callTool({ name: t.name, arguments: args })
        assert.ok(!JSON.stringify(result).includes(MARKER), `${t.name} leaked`)
      }
    }
  } finally {
    await client.close()
  }
})

test("A's rows are all still there and unchanged", async () => {
  const task = await ok('GET', `/v1/agent/tasks/${ids.task}`)
  assert.equal(task.status, 'pending')
  assert.equal((await ok('GET', `/v1/agent/codebases/${ids.workspace}`)).name, MARKER)
  const cron = await ok('GET', `/v1/cronjobs/${ids.cron}`)
  assert.deepEqual([cron.name, cron.enabled], [MARKER, true])
  const keys = (await call('GET', '/v1/auth/api-keys', alice)).text
  assert.ok(
    JSON.parse(keys).some(
      (k: { id: string; revoked_at: string | null }) => k.id === ids.key && !k.revoked_at,
    ),
  )
  assert.equal((await ok('GET', '/v1/tenants/me')).display_name, 'a')
})
