/**
 * Generated malformed input (fast-check) against every authenticated route of the permission
 * table, the JSON-RPC endpoint, MCP and the SSE reconnect ids: never a 5xx, and every error
 * in its documented shape. `npm test` runs a short pass; `npm run fuzz` runs 10,000 inputs.
 * A failure is shrunk to its smallest form by fast-check; keep it as a case in KNOWN below.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import fc from 'fast-check'
import { ROUTE_PERMISSIONS } from '../src/auth/permissions'
import { newTenantAdmin, stack } from './helpers'

/** The junk this writes goes into a tenant of its own, through an admin key (not the operator). */
let key: string
before(async () => {
  ;({ key } = await newTenantAdmin())
})

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const ids = [
  'x',
  'global',
  '00000000-0000-0000-0000-000000000000',
  "'; drop table tasks; --",
  '%00',
  'a'.repeat(300),
]

/** A route of the table with its parameters filled, each run differently. */
const concretePath = (path: string, id: string) =>
  path.replace(/:(\w+)(\{[^}]*\})?/g, (_, _n, pattern) =>
    pattern ? 'message:send' : encodeURIComponent(id),
  )

const routes = ROUTE_PERMISSIONS.filter(
  ([m, p]) => m !== 'ALL' && !p.includes('stream') && p !== '/metrics',
)

/** Strings holding NUL, which Postgres text and jsonb cannot store. */
const nulString = fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`)
/** Names every plain object inherits: a lookup by them must find nothing. */
const protoNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']
/** `inner` wrapped `depth` times in objects or arrays, as JSON text (too deep to stringify). */
const nested = (depth: number, array: boolean, inner: string) =>
  array
    ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`
const deepJson = fc
  .tuple(fc.integer({ min: 60, max: 5_000 }), fc.boolean())
  .map(([depth, array]) => nested(depth, array, '1'))

/** Bodies: anything JSON, plus shapes close to real ones with wrong types. */
const jsonBody = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.oneof(fc.string(), nulString, fc.constantFrom(...protoNames)), nulString),
  fc.record(
    {
      prompt: fc.oneof(fc.string(), fc.integer(), fc.constant(null), nulString),
      name: fc.oneof(fc.string(), fc.array(fc.string()), nulString, fc.constantFrom(...protoNames)),
      worker_id: fc.oneof(fc.string(), fc.integer()),
      task_id: fc.oneof(fc.constantFrom(...ids), fc.string()),
      pattern: fc.string(),
      topic: fc.string(),
      text: fc.oneof(fc.string(), fc.object()),
      messages: fc.array(fc.object(), { maxLength: 3 }),
      sessions: fc.array(fc.object(), { maxLength: 3 }),
      cron_expression: fc.string(),
      monthly_limit_micros: fc.oneof(fc.integer(), fc.double(), fc.string()),
      scopes: fc.array(fc.string(), { maxLength: 3 }),
      url: fc.oneof(fc.webUrl(), fc.string()),
      // Limits (PUT /v1/limits): any value, including the ones a tenant may not set.
      ...Object.fromEntries(
        ['cron_jobs', 'tasks_per_minute', 'output_line_bytes', 'body_bytes', 'agents'].map((n) => [
          n,
          fc.oneof(
            fc.integer(),
            fc.double(),
            fc.constant(null),
            fc.string(),
            fc.constantFrom(0, 2 ** 31, Number.MAX_SAFE_INTEGER),
          ),
        ]),
      ),
    },
    { requiredKeys: [] },
  ),
)
const rawBody = fc.oneof(
  jsonBody.map((b) => JSON.stringify(b)),
  // A real-looking body with a deep value where metadata goes.
  deepJson.map((deep) => `{"prompt":"deep","title":"deep","metadata":${deep}}`),
  fc.string(), // not JSON at all
  fc.constantFrom('{', '[', '{"a":', '\u0000', 'null', '""'),
)
const query = fc.dictionary(
  fc.constantFrom(
    'limit',
    'offset',
    'q',
    'status',
    'since',
    'group_by',
    'from',
    'to',
    'role',
    'page',
    'session_id',
    'pattern',
  ),
  fc.oneof(
    fc.string(),
    fc.integer().map(String),
    fc.constantFrom('-1', '1e9', 'NaN', '', ...protoNames),
    nulString,
  ),
)

async function send(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  const started = Date.now()
  const res = await fetch(`${stack().url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  }).catch((err: Error) => {
    throw new Error(`${method} ${path}: no answer after ${Date.now() - started} ms (${err.name})`)
  })
  const stream = res.headers.get('content-type')?.includes('event-stream')
  if (stream) await res.body?.cancel() // a stream that opened is an answer; its events are not read
  const text = stream ? '' : await res.text()
  return { status: res.status, text, type: res.headers.get('content-type') ?? '' }
}

/** The REST error shape, or a JSON-RPC error, or the A2A REST binding's google.rpc.Status. */
function wellFormedError(path: string, r: { status: number; text: string; type: string }) {
  if (r.status < 400) return true
  const body = JSON.parse(r.text)
  if (body?.jsonrpc === '2.0')
    return typeof body.error?.code === 'number' && typeof body.error.message === 'string'
  if (path.startsWith('/a2a/rest'))
    return typeof body.error?.code === 'number' || typeof body.error?.message === 'string'
  return typeof body.error?.code === 'string' && typeof body.error?.message === 'string'
}

test(`REST routes: ${RUNS} generated requests, no 5xx, errors in shape`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...routes),
      fc.constantFrom(...ids),
      rawBody,
      query,
      async ([method, path], id, body, q) => {
        const search = new URLSearchParams(q).toString()
        const url = `${concretePath(path, id)}${search ? `?${search}` : ''}`
        const r = await send(
          method,
          url,
          method === 'GET' || method === 'DELETE' ? undefined : body,
        )
        assert.ok(
          r.status < 500,
          `${method} ${url} ${body?.slice(0, 300)}: ${r.status} ${r.text.slice(0, 300)}`,
        )
        assert.ok(wellFormedError(path, r), `${method} ${url}: ${r.status} ${r.text.slice(0, 300)}`)
      },
    ),
    { numRuns: RUNS },
  )
})

test(`JSON-RPC and MCP: ${Math.ceil(RUNS / 2)} generated calls each, answered in protocol`, async () => {
  const methods = [
    'SendMessage',
    'GetTask',
    'ListTasks',
    'CancelTask',
    'message/send',
    'tasks/get',
    'tasks/cancel',
    'tools/call',
    'tools/list',
    'initialize',
    'nope',
    ...protoNames,
  ]
  const params = fc.oneof(
    fc.jsonValue(),
    fc.record({ message: fc.record({ parts: fc.array(fc.record({ text: nulString })) }) }),
    fc.record({ name: fc.constantFrom('create_task', ...protoNames), arguments: jsonBody }),
  )
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/', '/mcp/v1/rpc'),
      fc.oneof(
        fc
          .record({
            jsonrpc: fc.constantFrom('2.0', '1.0'),
            id: fc.oneof(fc.integer(), fc.string(), fc.object()),
            method: fc.constantFrom(...methods),
            params,
          })
          .map((rpc) => JSON.stringify(rpc)),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        // A call whose params hold a deep value: as text, it is too deep to stringify.
        fc
          .tuple(fc.constantFrom(...methods), deepJson)
          .map(([m, deep]) => `{"jsonrpc":"2.0","id":1,"method":"${m}","params":{"x":${deep}}}`),
      ),
      fc.constantFrom('1.0', '0.3', '', 'x'),
      async (path, rpc, version) => {
        const r = await send('POST', path, rpc, { 'A2A-Version': version })
        assert.ok(
          r.status < 500,
          `${path} ${rpc.slice(0, 300)}: ${r.status} ${r.text.slice(0, 300)}`,
        )
        if (r.type.includes('json')) JSON.parse(r.text)
      },
    ),
    { numRuns: Math.ceil(RUNS / 2) },
  )
})

test(`headers and SSE reconnect ids: ${Math.ceil(RUNS / 4)} generated, no 5xx`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string(),
        fc.constantFrom('Bearer', 'Bearer ', 'Basic abc', 'Bearer ct_x', 'Bearer a.b.c'),
      ),
      fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('-1', '1e99', '00', ' 5')),
      async (authorization, lastEventId) => {
        const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, '')
        const r1 = await send('GET', '/v1/agent/tasks', undefined, {
          Authorization: clean(authorization),
        })
        assert.ok(
          r1.status < 500 && wellFormedError('/v1', r1),
          `${authorization}: ${r1.status} ${r1.text}`,
        )
        const r2 = await send('GET', '/v1/agent/tasks/x/output/stream', undefined, {
          'Last-Event-ID': clean(lastEventId),
        })
        assert.ok(r2.status < 500, `Last-Event-ID ${lastEventId}: ${r2.status} ${r2.text}`)
      },
    ),
    { numRuns: Math.ceil(RUNS / 4) },
  )
})
