/** The request pipeline: ids, errors, limits, CORS, auth, logs. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { api, stack, stackVars, startTestWorker, testDir } from './helpers'

async function expectError(res: Response, status: number, code: string) {
  assert.equal(res.status, status)
  assert.match(res.headers.get('content-type') ?? '', /application\/json/)
  const body = await res.json()
  assert.equal(body.error.code, code)
  assert.equal(typeof body.error.message, 'string')
  assert.ok(!JSON.stringify(body).includes('    at '), 'stack trace in the reply')
  return body
}

describe('request pipeline', () => {
  test('every reply carries an X-Request-Id; a sane incoming one is kept', async () => {
    const fresh = await api('/health')
    assert.match(fresh.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/)
    const kept = await api('/health', { headers: { 'X-Request-Id': 'trace-123' } })
    assert.equal(kept.headers.get('x-request-id'), 'trace-123')
    const replaced = await api('/health', { headers: { 'X-Request-Id': 'not <safe>' } })
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/)
    // A reply its handler makes itself (an SSE stream) carries it too.
    const streamed = await api('/a2a/rest/message:stream', {
      method: 'POST',
      headers: { 'X-Request-Id': 'trace-456' },
      json: {
        message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text: '2 + 2' }] },
      },
    })
    assert.equal(streamed.headers.get('content-type'), 'text/event-stream')
    assert.equal(streamed.headers.get('x-request-id'), 'trace-456')
    await streamed.text()
  })

  test('malformed JSON is a 400 in the error shape', async () => {
    const res = await api('/v1/agent/workspaces', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name": "x",',
    })
    const body = await expectError(res, 400, 'bad_request')
    assert.match(body.error.message, /Malformed JSON/)
  })

  test('a body that fails validation names each bad field', async () => {
    const res = await api('/v1/agent/workspaces', { method: 'POST', json: { name: 7 } })
    const body = await expectError(res, 400, 'bad_request')
    const paths = body.error.details.map((d: { path: string }) => d.path).sort()
    assert.deepEqual(paths, ['name', 'path'])
  })

  test('a body that is not JSON at all is refused as such', async () => {
    const res = await api('/v1/agent/workspaces', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'hello',
    })
    await expectError(res, 415, 'unsupported_media_type')
  })

  test('curl -d: JSON labelled as a form is read as JSON; a real form or broken JSON is a 4xx', async () => {
    const form = (body: string) =>
      api('/v1/agent/tasks', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      })
    assert.equal((await form(JSON.stringify({ prompt: 'from curl' }))).status, 200)
    await expectError(await form('{"prompt": '), 400, 'bad_request')
    await expectError(await form('prompt=hello'), 415, 'unsupported_media_type')
  })

  test('an oversized body is a 413 before it is read', async () => {
    const res = await api('/v1/agent/workspaces', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `"${'x'.repeat(1024 * 1024 + 10)}"`,
    })
    await expectError(res, 413, 'payload_too_large')
  })

  test('an oversized chunked body (no Content-Length) is a 413 too', async () => {
    // node:http rather than fetch: the server answers before the upload ends, and the
    // client must read that answer instead of failing on the reset that follows.
    const { status, body } = await new Promise<{ status: number; body: string }>(
      (resolve, reject) => {
        const req = request(new URL('/v1/agent/workspaces', stack().url), {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${stack().devToken}`,
          },
        })
        req.on('response', (res) => {
          let text = ''
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        })
        req.on('error', (err) => (req.writableEnded ? undefined : reject(err)))
        const chunk = 'x'.repeat(64 * 1024)
        for (let i = 0; i < 20; i++) req.write(chunk)
        req.end()
      },
    )
    assert.equal(status, 413)
    assert.equal(JSON.parse(body).error.code, 'payload_too_large')
  })

  test('an unknown route is a 404 in the error shape', async () => {
    await expectError(await api('/v1/nothing-here'), 404, 'not_found')
  })

  test('path parameters are validated', async () => {
    const res = await api(`/v1/agent/workspaces/${'x'.repeat(300)}`)
    await expectError(res, 400, 'bad_request')
  })

  test('CORS preflight is answered and X-Request-Id is exposed', async () => {
    const res = await api('/v1/agent/workspaces', {
      method: 'OPTIONS',
      token: null,
      headers: {
        Origin: 'https://example.test',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    })
    assert.equal(res.status, 204)
    assert.equal(res.headers.get('access-control-allow-origin'), '*')
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Authorization/i)
    const get = await api('/health', { headers: { Origin: 'https://example.test' } })
    assert.match(get.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/i)
  })

  test('CORS_ORIGINS listed: only those origins are allowed, and replies vary by Origin', async () => {
    const { worker, url } = await startTestWorker('cors-listed', {
      ...stackVars(),
      CORS_ORIGINS: 'https://app.example, https://other.example',
    })
    try {
      const from = (origin: string, init: RequestInit = {}) =>
        fetch(`${url}/health`, { ...init, headers: { Origin: origin, ...init.headers } })
      const allowed = await from('https://other.example')
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://other.example')
      assert.match(allowed.headers.get('vary') ?? '', /Origin/)
      assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /Retry-After/)
      const refused = await from('https://evil.example')
      assert.equal(refused.headers.get('access-control-allow-origin'), null)
      assert.match(refused.headers.get('vary') ?? '', /Origin/, 'a cache must not mix the two')
      const preflight = await from('https://app.example', {
        method: 'OPTIONS',
        headers: { 'Access-Control-Request-Method': 'POST' },
      })
      assert.equal(preflight.status, 204)
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example')
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/)
      assert.equal(preflight.headers.get('access-control-max-age'), '600')
      assert.ok(preflight.headers.get('x-request-id'), 'a preflight has a request id too')
      assert.equal(preflight.headers.get('x-frame-options'), 'DENY', 'and the security headers')
      const refusedPreflight = await from('https://evil.example', { method: 'OPTIONS' })
      assert.equal(refusedPreflight.headers.get('access-control-allow-origin'), null)
    } finally {
      await worker.stop()
    }
  })

  test('a wrong bearer token is a 401 even in dev mode; a malformed header too', async () => {
    await expectError(await api('/v1/agent/workspaces', { token: 'ct_wrong' }), 401, 'unauthorized')
    const res = await api('/v1/agent/workspaces', {
      token: null,
      headers: { Authorization: 'Token x' },
    })
    await expectError(res, 401, 'unauthorized')
  })

  test('the static token and dev mode both resolve to the dev tenant', async () => {
    assert.equal((await api('/v1/agent/workspaces')).status, 200)
    assert.equal((await api('/v1/agent/workspaces', { token: null })).status, 200)
  })

  test('logs are JSON lines with request id and principal, and never a secret', async () => {
    const marker = `log-${Date.now()}`
    await api('/v1/agent/workspaces?token=should-not-be-logged', {
      headers: { 'X-Request-Id': marker },
    })
    await api('/v1/agent/workspaces', { token: 'ct_secret_wrong_token_value' })
    // Anonymous reads that succeed are not logged (/metrics counts them); refused ones are.
    await api('/.well-known/agent-card.json', {
      token: null,
      headers: { 'X-Request-Id': `${marker}-card` },
    })
    await api('/no-such-page', { token: null, headers: { 'X-Request-Id': `${marker}-404` } })
    await api('/.well-known/agent-card.json', { headers: { 'X-Request-Id': `${marker}-token` } })
    await new Promise((r) => setTimeout(r, 300))
    const log = readFileSync(join(testDir(), 'worker.log'), 'utf8')
    // Our structured lines; wrangler's own dev-server lines (full URLs) are not the app's log.
    const lines = log.split('\n').filter((l) => l.startsWith('{'))
    const entry = lines.map((l) => JSON.parse(l)).find((e) => e.request_id === marker)
    assert.ok(entry, 'no log line for the request')
    assert.equal(entry.path, '/v1/agent/workspaces')
    assert.equal(entry.principal, 'dev')
    assert.equal(entry.tenant_id, stack().tenantId)
    const ids = lines.map((l) => JSON.parse(l).request_id)
    assert.ok(!ids.includes(`${marker}-card`), 'the public card is not logged')
    assert.ok(ids.includes(`${marker}-404`), 'a refused anonymous read is')
    assert.ok(ids.includes(`${marker}-token`), 'a read that presents a credential is')
    for (const secret of [
      stack().devToken,
      'should-not-be-logged',
      'ct_secret_wrong_token_value',
      new URL(stack().databaseUrl).password,
      stack().redisRestToken,
    ]) {
      assert.ok(!lines.join('\n').includes(secret), `log contains a secret: ${secret.slice(0, 8)}…`)
    }
  })
})
