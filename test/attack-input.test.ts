/**
 * Hostile input on every protocol surface: NUL bytes Postgres cannot store, nesting deep
 * enough to overflow whatever walks it, and prototype names as JSON-RPC methods get the
 * protocol's own error naming the field, never a 500; a failing statement's parameters never
 * reach the Worker's log; a flood of huge output lines is refused by its limit and reading
 * the output back answers a bounded page.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { rpcBody, v03Message, v10Message } from './a2a-helpers'
import { api, connectAsOwner, testDir } from './helpers'
import { claim, createTask, register } from './queue-helpers'

const NUL = 'a\u0000b'
/** 100,000 levels of `{"a":…}`: parses, but no recursive walker survives it. */
const DEEP = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  api(path, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
  })

/** A JSON text with `deep` spliced in where `"$DEEP"` stands (it is too deep to stringify). */
const withDeep = (shape: unknown) => JSON.stringify(shape).replace('"$DEEP"', DEEP)

/** The reply's JSON, also when it came as one SSE event (MCP's Streamable HTTP may stream). */
async function json(res: Response) {
  const text = await res.text()
  const sse = res.headers.get('content-type')?.includes('event-stream')
  const data = sse ? (/^data: (.*)$/m.exec(text)?.[1] ?? '') : text
  return { status: res.status, body: JSON.parse(data), text }
}

/** Every JSON-RPC surface: A2A v0.3 (default), A2A v1.0, MCP's legacy and Streamable ones. */
const a2aVersions: {
  name: string
  headers: Record<string, string>
  send: string
  message: (extra?: Record<string, unknown>, text?: string) => Record<string, unknown>
}[] = [
  { name: 'A2A v0.3', headers: {}, send: 'message/send', message: v03Message },
  { name: 'A2A v1.0', headers: { 'A2A-Version': '1.0' }, send: 'SendMessage', message: v10Message },
]
const mcpPaths = ['/mcp/v1/rpc', '/mcp']
const mcpHeaders = { Accept: 'application/json, text/event-stream' }

function assertRpcError(
  r: { status: number; body: { id?: unknown; error?: { code: number; message: string } } },
  code: number,
  field: RegExp | undefined,
  what: string,
) {
  assert.equal(r.status, 200, `${what}: ${JSON.stringify(r.body)}`)
  assert.equal(r.body.error?.code, code, `${what}: ${JSON.stringify(r.body)}`)
  if (field) assert.match(r.body.error?.message ?? '', field, what)
}

describe('NUL bytes', () => {
  test('REST: 400 naming the body field or the query parameter', async () => {
    const r = await json(await post('/v1/agent/tasks', JSON.stringify({ prompt: NUL })))
    assert.equal(r.status, 400, r.text)
    assert.equal(r.body.error.code, 'bad_request')
    assert.deepEqual(
      r.body.error.details.map((d: { path: string }) => d.path),
      ['prompt'],
    )
    const key = await json(
      await post('/v1/agent/tasks', `{"prompt":"x","metadata":{"k\\u0000":1}}`),
    )
    assert.equal(key.status, 400, key.text)
    assert.match(key.body.error.details[0].path, /^metadata\.k/)
    const q = await json(await api('/v1/monitor/messages/search?q=a%00b'))
    assert.equal(q.status, 400, q.text)
    assert.equal(q.body.error.details[0].path, 'q')
  })

  for (const v of a2aVersions) {
    test(`${v.name} JSON-RPC: -32602 naming params.message.parts.0.text`, async () => {
      const body = rpcBody(v.send, { message: v.message({}, NUL) }, 41)
      const r = await json(await post('/', JSON.stringify(body), v.headers))
      assertRpcError(r, -32602, /params\.message\.parts\.0\.text/, v.name)
      assert.equal(r.body.id, 41)
      const alias = await json(await post('/v1/a2a', JSON.stringify(body), v.headers))
      assertRpcError(alias, -32602, /params\.message\.parts\.0\.text/, `${v.name} /v1/a2a`)
    })
  }

  test('A2A HTTP+JSON: 400 INVALID_ARGUMENT naming message.parts.0.text', async () => {
    const r = await json(
      await post('/a2a/rest/message:send', JSON.stringify({ message: v10Message({}, NUL) })),
    )
    assert.equal(r.status, 400, r.text)
    assert.match(r.body.error.message, /message\.parts\.0\.text/)
  })

  for (const path of mcpPaths) {
    test(`MCP ${path}: -32602 naming params.arguments.description`, async () => {
      const body = rpcBody(
        'tools/call',
        { name: 'create_task', arguments: { title: 'nul', description: NUL } },
        'attack',
      )
      const r = await json(await post(path, JSON.stringify(body), mcpHeaders))
      assertRpcError(r, -32602, /params\.arguments\.description/, path)
      assert.equal(r.body.id, 'attack')
    })
  }
})

describe('half a surrogate pair', () => {
  // JSON may escape one ("\ud800"); no UTF-8 can carry it to Postgres.
  test('REST and JSON-RPC: refused naming the field, like NUL', async () => {
    const rest = await json(await post('/v1/agent/tasks', '{"prompt":"a\\ud800b"}'))
    assert.equal(rest.status, 400, rest.text)
    assert.equal(rest.body.error.details[0].path, 'prompt')
    assert.match(rest.body.error.details[0].message, /surrogate/)
    const paired = await json(await post('/v1/agent/tasks', '{"prompt":"a\\ud83d\\ude00b"}'))
    assert.equal(paired.status, 200, paired.text)
    assert.equal(paired.body.prompt, 'a😀b', 'a whole pair is text')
    // Canceled, so that no worker of another suite takes it.
    await post(`/v1/agent/tasks/${paired.body.id}/cancel`, '{}')
    for (const v of a2aVersions) {
      const body = JSON.stringify(rpcBody(v.send, { message: v.message({}, 'x') }, 7)).replace(
        '"x"',
        '"\\udc00"',
      )
      const r = await json(await post('/', body, v.headers))
      assertRpcError(r, -32602, /params\.message\.parts\.0\.text/, v.name)
    }
  })
})

describe('nesting 100,000 deep', () => {
  test('REST: 400 naming where the nesting starts', async () => {
    const r = await json(
      await post('/v1/agent/tasks', withDeep({ prompt: 'x', metadata: '$DEEP' })),
    )
    assert.equal(r.status, 400, r.text.slice(0, 300))
    assert.match(r.body.error.details[0].path, /^metadata\.a\.a/)
    assert.match(r.body.error.details[0].message, /deeper than 64/)
  })

  for (const v of a2aVersions) {
    test(`${v.name} JSON-RPC: -32602 naming params.message.metadata`, async () => {
      const body = withDeep(rpcBody(v.send, { message: v.message({ metadata: '$DEEP' }) }))
      const r = await json(await post('/', body, v.headers))
      assertRpcError(r, -32602, /params\.message\.metadata\.a/, v.name)
    })
  }

  test('A2A HTTP+JSON: 400 naming message.metadata', async () => {
    const body = withDeep({ message: v10Message({ metadata: '$DEEP' }) })
    const r = await json(await post('/a2a/rest/message:send', body))
    assert.equal(r.status, 400, r.text.slice(0, 300))
    assert.match(r.body.error.message, /message\.metadata\.a/)
  })

  for (const path of mcpPaths) {
    test(`MCP ${path}: -32602 naming params.arguments`, async () => {
      const body = withDeep(
        rpcBody('tools/call', { name: 'create_task', arguments: { title: 'x', extra: '$DEEP' } }),
      )
      const r = await json(await post(path, body, mcpHeaders))
      assertRpcError(r, -32602, /params\.arguments\.extra\.a/, path)
    })
  }
})

describe('prototype names', () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']

  for (const v of a2aVersions) {
    test(`${v.name} JSON-RPC: each is -32601 Method not found`, async () => {
      for (const method of names) {
        for (const params of [{}, { id: 'x' }, undefined]) {
          const r = await json(await post('/', JSON.stringify(rpcBody(method, params)), v.headers))
          assertRpcError(r, -32601, undefined, `${v.name} ${method} ${JSON.stringify(params)}`)
        }
      }
    })
  }

  for (const path of mcpPaths) {
    test(`MCP ${path}: each is -32601, and as a tool name -32602`, async () => {
      for (const method of names) {
        const r = await json(await post(path, JSON.stringify(rpcBody(method, {})), mcpHeaders))
        assertRpcError(r, -32601, undefined, `${path} ${method}`)
        const tool = rpcBody('tools/call', { name: method, arguments: {} })
        const t = await json(await post(path, JSON.stringify(tool), mcpHeaders))
        assertRpcError(t, -32602, new RegExp(`Unknown tool: ${method}`), `${path} tool ${method}`)
      }
    })
  }

  test('as a task status on REST and the A2A HTTP+JSON binding: 400', async () => {
    for (const status of names) {
      const rest = await api(`/v1/agent/tasks?status=${status}`)
      assert.equal(rest.status, 400, `REST status=${status}: ${await rest.text()}`)
      const binding = await api(`/a2a/rest/tasks?status=${status}`)
      assert.equal(binding.status, 400, `A2A REST status=${status}: ${await binding.text()}`)
    }
  })
})

describe('output floods', () => {
  test('60 one-megabyte lines are refused by output_line_bytes; reading output answers a page', async () => {
    const worker = await register()
    const task = await createTask()
    const { attempt } = (await (await claim(worker, task.id)).json()) as { attempt: number }
    const send = (lines: string[]) =>
      api(`/v1/agent/tasks/${task.id}/output`, {
        method: 'POST',
        json: { worker_id: worker, attempt, lines },
      })
    const huge = 'x'.repeat(1_000_000)
    for (let i = 0; i < 60; i++) {
      const r = await send([huge])
      const body = await r.json()
      assert.equal(r.status, 413, JSON.stringify(body).slice(0, 300))
      assert.equal(body.error.details.limit, 'output_line_bytes')
    }
    // Still the holder's task: short lines are taken, and a read is one page of them.
    const short = Array.from({ length: 1000 }, (_, i) => `line ${i}`)
    for (let i = 0; i < 3; i++) assert.equal((await send(short)).status, 200)
    const page = await api(`/v1/agent/tasks/${task.id}/output`)
    const body = await page.json()
    assert.deepEqual([body.total, body.more], [500, true])
    assert.ok(body.outputs.every((o: { output: string }) => o.output.length < 20))
    assert.equal((await api(`/v1/agent/tasks/${task.id}/output?limit=1000000`)).status, 400)
  })
})

describe("a failing statement's parameters never reach the log", () => {
  // The database refuses these prompts (a trigger, as a broken migration or a full disk
  // would): the statement fails with the prompt among its parameters.
  const marker = `attack-input-refuse-${randomBytes(6).toString('hex')}`
  before(async () => {
    const owner = await connectAsOwner()
    try {
      await owner.query(`
        CREATE FUNCTION public.attack_input_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.prompt LIKE '%${marker}%' THEN
            RAISE EXCEPTION 'refused by the attack suite';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER attack_input_refuse BEFORE INSERT ON tasks
          FOR EACH ROW EXECUTE FUNCTION public.attack_input_refuse();`)
    } finally {
      await owner.end()
    }
  })
  after(async () => {
    const owner = await connectAsOwner()
    try {
      await owner.query(`DROP TRIGGER IF EXISTS attack_input_refuse ON tasks;
        DROP FUNCTION IF EXISTS public.attack_input_refuse();`)
    } finally {
      await owner.end()
    }
  })

  /** The Worker's log lines of one request, once they are written. */
  async function logLines(requestId: string) {
    for (let i = 0; i < 100; i++) {
      const lines = readFileSync(join(testDir(), 'worker.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes(requestId))
      if (lines.some((l) => l.includes('"level":"error"'))) return lines
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.fail(`no error logged for request ${requestId}`)
  }

  test('REST and A2A: an internal error, logged with SQLSTATE and statement, without values', async () => {
    const secret = `sk-live-${randomBytes(16).toString('hex')}`
    const prompt = `${marker} ${secret}`
    const rest = await post('/v1/agent/tasks', JSON.stringify({ prompt }))
    assert.equal(rest.status, 500)
    assert.ok(!(await rest.text()).includes(secret))
    const a2a = await post(
      '/',
      JSON.stringify(rpcBody('message/send', { message: v03Message({}, prompt) })),
    )
    const reply = await a2a.text()
    assert.match(reply, /-32603/)
    assert.ok(!reply.includes(secret))

    const restLines = await logLines(rest.headers.get('X-Request-Id') ?? 'none')
    const a2aLines = await logLines(a2a.headers.get('X-Request-Id') ?? 'none')
    const logged = [...restLines, ...a2aLines].join('\n')
    assert.ok(!logged.includes(secret), `the prompt reached the log:\n${logged}`)
    assert.ok(!logged.includes(marker), `the prompt reached the log:\n${logged}`)
    // wrangler decorates console.error lines: the entry is the JSON object inside.
    const line = restLines.find((l) => l.includes('"level":"error"')) ?? ''
    const error = JSON.parse(line.slice(line.indexOf('{"ts"'), line.lastIndexOf('}') + 1))
    assert.equal(error.error?.code, 'P0001', 'the SQLSTATE is logged')
    assert.equal(error.error?.statement, 'select app.insert_task', 'and which statement failed')
    assert.match(error.error?.message ?? '', /refused by the attack suite/)
  })
})
