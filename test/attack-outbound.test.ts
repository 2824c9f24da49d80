/**
 * Attack: making the server call inside its own network (SSRF). A Worker with the guard on
 * (not dev mode), a fake DoH resolver at the wire, an "internal" listener that must never be
 * reached, and a listener standing in for a public host (allowed by origin, since a test
 * cannot reach the internet) that redirects inside.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { mcpAccess } from '@codetether/agent-kit/mcp'
import { guardedMcpFetch } from '../src/agents/coordinator-mcp'
import { addressProblem } from '../src/lib/ip-class'
import { OutboundRefused, outboundFetch, outboundUrlProblem } from '../src/lib/outbound-url'
import { openTask } from './a2a-helpers'
import { startDoh } from './fakes/doh-server'
import { stackVars, startTestWorker } from './helpers'
import { until } from './worker-helpers'

const TOKEN = 'outbound-guard-token'
const PUBLIC_IP = '93.184.215.14'

let doh: Awaited<ReturnType<typeof startDoh>>
let internal: Server
let internalPort: number
/** Every request the internal listener got: any is a breach. */
const breaches: string[] = []
let publicSite: Server
let publicOrigin: string
const publicHits: string[] = []
/** Redirects the "public" host answered: proof the guard, not an accident, kept them out. */
const redirectsServed: string[] = []
let worker: Awaited<ReturnType<typeof startTestWorker>>

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

before(async () => {
  doh = await startDoh({
    'internal.test': { A: ['127.0.0.1'] },
    'mapped.test': { AAAA: ['::ffff:127.0.0.1'] },
    'alias.test': { CNAME: ['internal.test'], A: ['127.0.0.1'] },
    // One good answer does not launder a bad one: the runtime may connect to either.
    'mixed.test': { A: [PUBLIC_IP, '10.0.0.7'] },
    'public.test': { A: [PUBLIC_IP], AAAA: ['2606:4700:4700::1111'] },
  })
  internal = createServer((req, res) => {
    breaches.push(`${req.method} ${req.url}`)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ name: 'INTERNAL-SECRET', description: 'metadata service' }))
  })
  internalPort = await listen(internal)
  const inside = `http://127.0.0.1:${internalPort}`
  publicSite = createServer((req, res) => {
    const path = req.url ?? '/'
    req.resume()
    if (path.startsWith('/redirect')) {
      redirectsServed.push(path)
      res.writeHead(307, { location: `${inside}/after-redirect` }).end()
      return
    }
    if (path === '/.well-known/agent-card.json') {
      res.writeHead(302, { location: `${inside}/.well-known/agent-card.json` }).end()
      return
    }
    publicHits.push(path)
    res.writeHead(200).end()
  })
  publicOrigin = `http://127.0.0.1:${await listen(publicSite)}`
  worker = await startTestWorker('outbound-guard', {
    ...stackVars(),
    AUTH_MODE: 'production',
    A2A_AUTH_TOKENS: `ops:${TOKEN}`,
    DOH_URL: doh.url,
    OUTBOUND_ALLOW_ORIGINS: publicOrigin,
  })
})

after(async () => {
  await worker?.worker.stop()
  for (const s of [doh?.server, internal, publicSite]) s?.closeAllConnections()
  await Promise.all(
    [doh?.server, internal, publicSite].map((s) => s && new Promise((r) => s.close(r))),
  )
})

/** The bypasses of the finding, each aimed at the internal listener's port. */
const bypasses = () => {
  const p = internalPort
  return [
    `http://internal.test:${p}/hook`, // a name resolving to loopback
    `http://alias.test:${p}/hook`, // …through a CNAME
    `http://mapped.test:${p}/hook`, // …to an IPv4-mapped IPv6 loopback
    `http://mixed.test:${p}/hook`, // one public and one private answer
    `http://localhost.:${p}/hook`,
    `http://[::127.0.0.1]:${p}/hook`,
    `http://[::ffff:127.0.0.1]:${p}/hook`,
    `http://[fec0::1]:${p}/hook`,
    `http://[64:ff9b::7f00:1]:${p}/hook`,
    `http://198.18.0.1:${p}/hook`,
    `http://2130706433:${p}/hook`,
    `http://0x7f.1:${p}/hook`,
    `http://intranet:${p}/hook`,
  ]
}

async function call(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${worker.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: res.status, text: await res.text() }
}

const rpc = async (method: string, params: unknown) =>
  JSON.parse(
    (await call('/', { jsonrpc: '2.0', id: 1, method, params }, { 'A2A-Version': '1.0' })).text,
  )

describe('the address classifier', () => {
  test('refuses every non-public spelling', () => {
    for (const ip of [
      '127.0.0.1',
      '0x7f.1',
      '2130706433',
      '0177.0.0.1',
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.19.255.255',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '::127.0.0.1',
      '::7f00:1',
      '::ffff:127.0.0.1',
      '::ffff:0:7f00:1',
      '64:ff9b::7f00:1',
      '64:ff9b::a00:1',
      '2002:7f00:1::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'fec0::1',
      'ff02::1',
      '2001:db8::1',
      '[::1]',
    ]) {
      assert.ok(addressProblem(ip), ip)
    }
  })

  test('lets public unicast through, in IPv6 forms too', () => {
    for (const ip of [
      PUBLIC_IP,
      '8.8.8.8',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
    ]) {
      assert.equal(addressProblem(ip), undefined, ip)
    }
  })
})

describe('the guard in Node (the code the Worker runs)', () => {
  const policy = () => ({
    allowPrivate: false,
    allowOrigins: new Set([publicOrigin]),
    dohUrl: doh.url,
  })

  test('names are resolved and every answer checked', async () => {
    for (const url of bypasses()) assert.ok(await outboundUrlProblem(url, policy()), url)
    assert.equal(await outboundUrlProblem('https://public.test/hook', policy()), undefined)
    assert.match(
      (await outboundUrlProblem('https://nowhere.test/', policy())) ?? '',
      /does not resolve/,
    )
  })

  test('a redirect inside is not followed', async () => {
    await assert.rejects(outboundFetch(policy(), `${publicOrigin}/redirect`), OutboundRefused)
    assert.deepEqual(breaches, [])
  })

  test('MCP servers: a private one and a redirect inside are both refused', async () => {
    const warnings: string[] = []
    const config = {
      AUTH_MODE: 'production',
      PUSH_ALLOW_PRIVATE: 'false',
      OUTBOUND_ALLOW_ORIGINS: [publicOrigin],
      DOH_URL: doh.url,
    }
    const access = mcpAccess(
      [`http://internal.test:${internalPort}/mcp`, `${publicOrigin}/redirect-mcp`],
      (m) => warnings.push(m),
      guardedMcpFetch(config),
    )
    assert.deepEqual(await access.tools(), [])
    await access.close()
    assert.equal(warnings.length, 2, warnings.join('\n'))
    for (const w of warnings) assert.match(w, /refused/)
    assert.deepEqual(breaches, [])
  })
})

describe('through the Worker, outside dev mode', () => {
  test('push configs aimed inside are refused', async () => {
    const open = await openTask()
    for (const url of bypasses()) {
      const reply = await rpc('CreateTaskPushNotificationConfig', { taskId: open.id, url })
      assert.equal(reply.error?.code, -32602, `${url}: ${JSON.stringify(reply)}`)
    }
  })

  test('a push delivery redirected inside is not followed; a public webhook gets its events', async () => {
    const open = await openTask()
    for (const url of [`${publicOrigin}/redirect-hook`, `${publicOrigin}/hook-ok`]) {
      const reply = await rpc('CreateTaskPushNotificationConfig', { taskId: open.id, url })
      assert.ok(reply.result?.id, JSON.stringify(reply))
    }
    // A name resolving to a public address is accepted too (not reachable from a test).
    const named = await rpc('CreateTaskPushNotificationConfig', {
      taskId: open.id,
      url: 'https://public.test/hook',
    })
    assert.ok(named.result?.id, JSON.stringify(named))
    await rpc('DeleteTaskPushNotificationConfig', { taskId: open.id, id: named.result.id })
    const answer = await rpc('SendMessage', {
      message: {
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        taskId: open.id,
        contextId: open.contextId,
        parts: [{ text: 'add 1 and 2' }],
      },
    })
    assert.ok(answer.result, JSON.stringify(answer))
    await until('the public webhook got both state changes', async () =>
      publicHits.filter((p) => p === '/hook-ok').length >= 2 ? true : undefined,
    )
    await until('the redirecting webhook was tried', async () =>
      redirectsServed.includes('/redirect-hook') ? true : undefined,
    )
    assert.deepEqual(breaches, [])
  })

  test('remote agents aimed inside are refused, and their card is never read back', async () => {
    for (const url of bypasses()) {
      const res = await call('/v1/agents/remote', { url })
      assert.equal(res.status, 400, `${url}: ${res.text}`)
      assert.doesNotMatch(res.text, /INTERNAL-SECRET/)
    }
    // The card is asked for at the origin's /.well-known/, which redirects inside.
    const redirected = await call('/v1/agents/remote', { url: publicOrigin })
    assert.notEqual(redirected.status, 200, redirected.text)
    assert.match(redirected.text, /refused|loopback/)
    assert.doesNotMatch(redirected.text, /INTERNAL-SECRET/)
    assert.deepEqual(breaches, [])
  })
})
