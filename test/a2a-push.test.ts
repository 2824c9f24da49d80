/** Push notifications to a real local webhook: auth, signature, retry, both versions. */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { outboundUrlProblem } from '../src/lib/outbound-url'
import { openTask, rpc } from './a2a-helpers'

interface Delivery {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

let server: Server
let base: string
const deliveries: Delivery[] = []
/** Paths whose first delivery is answered 503, to prove the retry. */
const failOnce = new Set<string>()

before(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const path = req.url ?? '/'
      if (failOnce.delete(path)) {
        res.writeHead(503).end()
        return
      }
      deliveries.push({ path, headers: req.headers, body })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})
after(() => new Promise((r) => server.close(r)))

/** The deliveries to `path` once n have arrived, and a moment later (so a duplicate shows). */
async function waitFor(path: string, n: number, ms = 10_000): Promise<Delivery[]> {
  const deadline = Date.now() + ms
  const got = () => deliveries.filter((d) => d.path === path)
  while (got().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  await new Promise((r) => setTimeout(r, 300))
  return got()
}

const V1 = { 'A2A-Version': '1.0' }
const answer = (taskId: string, contextId: string) =>
  rpc(
    'SendMessage',
    {
      message: {
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        taskId,
        contextId,
        parts: [{ text: 'add 1 and 2' }],
      },
    },
    V1,
  )

describe('push notifications', () => {
  test('configs are created, read back without secrets, listed and deleted', async () => {
    const open = await openTask()
    const created = await rpc(
      'CreateTaskPushNotificationConfig',
      {
        taskId: open.id,
        url: `${base}/crud`,
        token: 'secret-token',
        authentication: { scheme: 'Bearer', credentials: 'cred' },
      },
      V1,
    )
    const cfg = created.body.result
    assert.ok(cfg.id)
    assert.equal(cfg.token, undefined, 'the token is never served back')
    assert.equal(cfg.authentication.credentials, undefined, 'nor the credentials')
    assert.equal(cfg.authentication.scheme, 'Bearer')
    const got = await rpc('GetTaskPushNotificationConfig', { taskId: open.id, id: cfg.id }, V1)
    assert.equal(got.body.result.url, `${base}/crud`)
    const list = await rpc('ListTaskPushNotificationConfigs', { taskId: open.id }, V1)
    assert.equal(list.body.result.configs.length, 1)
    await rpc('DeleteTaskPushNotificationConfig', { taskId: open.id, id: cfg.id }, V1)
    await rpc('DeleteTaskPushNotificationConfig', { taskId: open.id, id: cfg.id }, V1) // idempotent
    const gone = await rpc('GetTaskPushNotificationConfig', { taskId: open.id, id: cfg.id }, V1)
    assert.equal(gone.body.error.code, -32001)
    const bad = await rpc(
      'CreateTaskPushNotificationConfig',
      { taskId: open.id, url: 'ftp://example.com/x' },
      V1,
    )
    assert.equal(bad.body.error.code, -32602)
  })

  test('every state change is delivered with the token, a verifiable signature and credentials', async () => {
    const open = await openTask()
    await rpc(
      'CreateTaskPushNotificationConfig',
      {
        taskId: open.id,
        url: `${base}/v1`,
        token: 'tok-1',
        authentication: { scheme: 'Bearer', credentials: 'cred-1' },
      },
      V1,
    )
    await answer(open.id, open.contextId)
    const got = await waitFor('/v1', 2)
    assert.deepEqual(
      got.map((d) => JSON.parse(d.body).statusUpdate.status.state),
      ['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED'],
    )
    for (const d of got) {
      assert.equal(d.headers['content-type'], 'application/a2a+json')
      assert.equal(d.headers['x-a2a-notification-token'], 'tok-1')
      assert.equal(d.headers.authorization, 'Bearer cred-1')
      const [t, v1] = String(d.headers['x-a2a-signature'])
        .split(',')
        .map((kv) => kv.split('=')[1])
      const expected = createHmac('sha256', 'tok-1').update(`${t}.${d.body}`).digest('hex')
      assert.equal(v1, expected, 'signature verifies with the token')
      assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 60, 'fresh timestamp')
      assert.match(String(d.headers['x-a2a-event-id']), new RegExp(`^${open.id}:\\d+$`))
    }
  })

  test('a failed first attempt is retried', async () => {
    const open = await openTask()
    failOnce.add('/retry')
    await rpc(
      'CreateTaskPushNotificationConfig',
      { taskId: open.id, url: `${base}/retry`, token: 't' },
      V1,
    )
    await answer(open.id, open.contextId)
    const got = await waitFor('/retry', 2)
    assert.deepEqual(
      got.map((d) => JSON.parse(d.body).statusUpdate.status.state),
      ['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED'],
    )
  })

  test('a v0.3 config set on message/send gets v0.3 Task bodies for the whole task', async () => {
    const res = await rpc('message/send', {
      message: {
        kind: 'message',
        messageId: crypto.randomUUID(),
        role: 'user',
        parts: [{ kind: 'text', text: 'add 20 and 22' }],
      },
      configuration: {
        blocking: true,
        pushNotificationConfig: { url: `${base}/v03`, token: 'tok-03' },
      },
    })
    assert.equal(res.body.result.status.state, 'completed')
    const got = await waitFor('/v03', 3)
    const bodies = got.map((d) => JSON.parse(d.body))
    assert.deepEqual(
      bodies.map((b) => b.kind),
      ['task', 'task', 'task'],
    )
    assert.equal(bodies[0].id, res.body.result.id)
    assert.equal(got[0]?.headers['content-type'], 'application/json')
  })

  test('webhook URLs: private and loopback addresses are refused outside dev mode', async () => {
    const policy = {
      allowPrivate: false,
      allowOrigins: new Set<string>(),
      dohUrl: 'http://0.0.0.0/',
    }
    const open = { ...policy, allowPrivate: true }
    for (const url of [
      'http://127.0.0.1/x',
      'http://10.1.2.3/',
      'http://192.168.0.1',
      'http://[::1]/',
      'http://localhost:8080',
      'http://169.254.169.254/latest',
    ]) {
      assert.ok(await outboundUrlProblem(url, policy), url)
      assert.equal(await outboundUrlProblem(url, open), undefined, url)
    }
    assert.equal(await outboundUrlProblem('https://93.184.215.14/a2a', policy), undefined)
    assert.ok(await outboundUrlProblem('file:///etc/passwd', open))
  })
})
