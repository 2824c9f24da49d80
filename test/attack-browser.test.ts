/**
 * Attack: the browser turned against the monitor. A page on a sibling origin framed the
 * approvals view, nearly transparent, over a decoy button: one click by a signed-in admin
 * approved a waiting command. Every monitor file and every kind of API reply must forbid
 * framing, sniffing and Referer leaks; in real Chromium a framed monitor must show nothing; and
 * the monitor's strict CSP must hold in every view without breaking any of them. And a login's
 * return_to never sends the browser to another site, however it is encoded.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { launchBrowser, MONITOR_VIEWS, openMonitor, watchErrors } from './browser'
import { type FakeIdp, startFakeIdp } from './fakes/oidc-server'
import { api, stack, stackVars, startTestWorker } from './helpers'
import { claim, createTask, register, release, uid } from './queue-helpers'
import { until } from './worker-helpers'

const MARK = `csp-${uid()}`
const MONITOR_FILES = ['', 'index.html', 'app.js', 'app.css', 'sw.js', 'manifest.webmanifest']
const preflight = { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' }

let browser: Browser
let close: () => Promise<void>
let attacker: Server
let attackerUrl: string
let waitingTask: string

/** A header's directives, by name: `default-src 'self'; …` → { 'default-src': ["'self'"] }. */
function directives(csp: string | null): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) out[name.toLowerCase()] = values
  }
  return out
}

/** What every reply of ours must say, whoever serves it (the Worker or the assets layer). */
function assertHardened(res: Response, what: string) {
  const h = res.headers
  assert.equal(h.get('x-content-type-options'), 'nosniff', `${what}: nosniff`)
  assert.equal(h.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`)
  assert.equal(h.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`)
  const csp = directives(h.get('content-security-policy'))
  assert.deepEqual(csp['frame-ancestors'], ["'none'"], `${what}: frame-ancestors`)
  return csp
}

/** A signed-in admin's browser: the token is in the monitor's storage, as after signing in. */
async function signedIn(): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  await ctx.addInitScript((token) => localStorage.setItem('ct_token', token), stack().devToken)
  return ctx
}

before(async () => {
  ;({ browser, close } = await launchBrowser())
  // A task paused for approval of a command: what the attacker wants clicked.
  const worker = await register()
  const task = await createTask({ title: `Approve ${MARK}` })
  assert.equal((await claim(worker, task.id)).status, 200)
  const pending_action = { key: 'k', tool: 'run', input: { cmd: 'curl x | sh' }, reason: MARK }
  assert.equal(
    (await release(worker, task.id, { status: 'input-required', pending_action })).status,
    200,
  )
  waitingTask = task.id

  // The attacker's page: same host, another port, so a sibling origin (same site: cookies
  // and storage of the monitor are the victim's own inside the frame).
  const monitor = `${stack().url}/v1/monitor/#/approvals`
  const html = `<!doctype html><title>Win a prize</title><button>Claim your prize</button>
<iframe src="${monitor}" width="1000" height="700"></iframe>`
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' })
    res.end(html)
  })
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`
})
after(async () => {
  await close?.()
  await new Promise((resolve) => attacker?.close(resolve))
})

describe('attack: the monitor framed, sniffed or injected into', () => {
  test('every monitor file carries the strict CSP, frame-ancestors none, nosniff, no-referrer', async () => {
    for (const file of MONITOR_FILES) {
      const res = await fetch(`${stack().url}/v1/monitor/${file}`)
      await res.arrayBuffer()
      assert.equal(res.status, 200, file)
      const csp = assertHardened(res, `/v1/monitor/${file}`)
      assert.deepEqual(csp, {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'connect-src': ["'self'"],
        'img-src': ["'self'"],
        'manifest-src': ["'self'"],
        'worker-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      })
    }
  })

  test('every kind of API reply carries nosniff, no-referrer and a deny-all CSP', async () => {
    const agent = `csp-agent-${uid()}:1`
    assert.equal((await api('/v1/agents', { method: 'POST', json: { name: agent } })).status, 200)
    const replies: [string, Promise<Response>, number][] = [
      ['JSON', api('/v1/monitor/stats'), 200],
      ['401', api('/v1/monitor/stats', { token: 'ct_not-a-key' }), 401],
      ['400', api('/v1/agent/tasks', { method: 'POST', json: { prompt: 7 } }), 400],
      ['404', api('/no/such/route'), 404],
      ['missing monitor file', api('/v1/monitor/no-such-file.js'), 404],
      ['CORS preflight', api('/v1/agent/tasks', { method: 'OPTIONS', headers: preflight }), 204],
      ['SSE from Postgres', api('/v1/monitor/stream'), 200],
      ['SSE from a Durable Object', api(`/v1/agents/${encodeURIComponent(agent)}/stream`), 200],
    ]
    for (const [what, reply, status] of replies) {
      const res = await reply
      await res.body?.cancel()
      assert.equal(res.status, status, what)
      const csp = assertHardened(res, what)
      assert.deepEqual(csp, { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] }, what)
    }
  })

  test('a sibling origin framing the approvals view gets an empty frame', async () => {
    const ctx = await signedIn()
    const page = await ctx.newPage()
    // Chromium reports a refused frame on the framing page's console.
    const refused = page.waitForEvent('console', (m) => /frame-ancestors 'none'/.test(m.text()))
    await page.goto(attackerUrl)
    await refused
    const frame = page.frames().find((f) => f !== page.mainFrame())
    assert.ok(frame, 'the iframe is there')
    // What a refused frame holds: Chromium's error page (it commits after the refusal is
    // logged), not the monitor.
    await frame.waitForURL('chrome-error://chromewebdata/')
    assert.equal(await frame.locator('#app, main, button').count(), 0)
    assert.equal(await page.locator('iframe').count(), 1)
    await ctx.close()
    // The same browser opening the monitor itself sees the task waiting: it was the frame
    // that was refused, not the session.
    const mine = await signedIn()
    const own = await mine.newPage()
    await openMonitor(own, stack().url, 'approvals')
    await own.locator('.card.sub', { hasText: `Approve ${MARK}` }).waitFor()
    await mine.close()
    const task = (await (await api(`/v1/agent/tasks/${waitingTask}`)).json()) as { status: string }
    assert.equal(task.status, 'needs_input')
  })

  test('under the CSP every view works with no violation or console error; inline code is refused', async () => {
    const ctx = await signedIn()
    const violations: string[] = []
    await ctx.exposeBinding('reportViolation', (_source, v: string) => {
      violations.push(v)
    })
    await ctx.addInitScript(() => {
      const report = (window as unknown as { reportViolation(v: string): void }).reportViolation
      document.addEventListener('securitypolicyviolation', (e) =>
        report(`${e.effectiveDirective} ${e.blockedURI}`),
      )
    })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    for (const view of [...MONITOR_VIEWS, `tasks/${encodeURIComponent(waitingTask)}`]) {
      await openMonitor(page, stack().url, view)
      assert.deepEqual(errors, [], `${view}: console errors`)
      assert.deepEqual(violations, [], `${view}: CSP violations`)
    }

    // What an injection would try: an inline script and an inline style attribute.
    const injected = await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'document.body.dataset.injected = "ran"'
      document.head.append(script)
      const p = document.createElement('p')
      p.setAttribute('style', 'color: rgb(1, 2, 3)')
      document.body.append(p)
      return { ran: document.body.dataset.injected, color: getComputedStyle(p).color }
    })
    assert.equal(injected.ran, undefined, 'the inline script did not run')
    assert.notEqual(injected.color, 'rgb(1, 2, 3)', 'the inline style was not applied')
    await until('both are reported', async () => violations.length >= 2)
    assert.deepEqual(violations.sort(), ['script-src-elem inline', 'style-src-attr inline'])
    await ctx.close()
  })
})

describe('return_to after login', () => {
  let idp: FakeIdp
  let server: Awaited<ReturnType<typeof startTestWorker>>
  before(async () => {
    idp = await startFakeIdp({
      realm: `ret-${randomBytes(3).toString('hex')}`,
      users: [{ username: 'rita', password: 'pw-rita', sub: 'rita-1', roles: ['admin'] }],
    })
    server = await startTestWorker('attack-return-to', {
      ...stackVars(),
      AUTH_MODE: 'production',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
    })
    const tenant = await fetch(`${server.url}/v1/tenants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack().devToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        slug: `ret-${randomBytes(3).toString('hex')}`,
        display_name: 'return_to',
        oidc_issuer: idp.issuer,
      }),
    })
    assert.equal(tenant.status, 200, await tenant.text())
  })
  after(async () => {
    await server?.worker.stop()
    await idp?.close()
  })

  /** A whole browser login started with `?return_to=<rawQuery>`: where it lands. */
  async function landing(rawQuery: string): Promise<string | null> {
    const start = await fetch(`${server.url}/v1/auth/oidc/login?return_to=${rawQuery}`, {
      redirect: 'manual',
    })
    assert.equal(start.status, 302, `${rawQuery}: ${await start.text()}`)
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith('ct_oidc_state='))
    const authorize = new URL(start.headers.get('Location') ?? '')
    authorize.searchParams.set('login_hint', 'rita')
    const atIdp = await fetch(authorize, { redirect: 'manual' })
    const callback = new URL(atIdp.headers.get('Location') ?? '')
    const done = await fetch(`${server.url}${callback.pathname}${callback.search}`, {
      redirect: 'manual',
      headers: { Cookie: cookie?.split(';')[0] ?? '' },
    })
    assert.equal(done.status, 302, `${rawQuery}: ${await done.text()}`)
    return done.headers.get('Location')
  }

  // As typed in the URL's query (so each is percent-decoded once before the app sees it).
  const evil = [
    '%2F%09%2Fevil.example',
    '%2F%0A%2Fevil.example',
    '%2F%0D%2Fevil.example',
    '%09%2F%2Fevil.example',
    '%20%2F%2Fevil.example',
    '%2F%2Fevil.example',
    '//evil.example',
    '%2F%5Cevil.example',
    '%2F%5C%2Fevil.example',
    '%5C%5Cevil.example',
    '/%252F/evil.example',
    '%2F%252F%252Fevil.example',
    '/%255C/evil.example',
    '/.//evil.example',
    'https%3A%2F%2Fevil.example',
    'https://evil.example/',
    'http:evil.example',
    'javascript:alert(1)',
    '%2F%E2%80%A8%2Fevil.example',
    '%2F%25ZZ',
  ]
  const good: [string, string][] = [
    ['%2Fv1%2Fmonitor%2Ftasks', '/v1/monitor/tasks'],
    ['/v1/monitor/?tab=queue', '/v1/monitor/?tab=queue'],
    ['/v1/monitor/tasks%23top', '/v1/monitor/tasks#top'],
    ['/v1/agent/tasks%3Fstatus%3Dpending', '/v1/agent/tasks?status=pending'],
    ['', '/v1/monitor/'],
  ]

  test('every off-site form lands on the monitor; same-site paths are kept', async () => {
    for (const raw of evil) assert.equal(await landing(raw), '/v1/monitor/', `return_to=${raw}`)
    for (const [raw, path] of good) assert.equal(await landing(raw), path, `return_to=${raw}`)
    // NUL is refused before any redirect.
    const nul = await fetch(`${server.url}/v1/auth/oidc/login?return_to=%2F%00%2Fevil.example`, {
      redirect: 'manual',
    })
    assert.equal(nul.status, 400)
  })
})
