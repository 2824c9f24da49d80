import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { freePort } from '../scripts/stack/ports'
import type { Child } from '../scripts/stack/proc'
import { api, stack, startTestWorker } from './helpers'

describe('health of the running stack', () => {
  test('GET /health answers without touching a dependency', async () => {
    const res = await api('/health', { token: null })
    assert.equal(res.status, 200)
    const body = await res.json()
    assert.equal(body.status, 'healthy')
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)))
  })

  test('GET /health/ready reports Postgres, Redis and the Durable Objects ready', async () => {
    const res = await api('/health/ready', { token: null })
    assert.equal(res.status, 200)
    const body = await res.json()
    assert.equal(body.status, 'ready')
    for (const name of ['postgres', 'redis', 'durable_objects']) {
      assert.equal(body.checks[name].ok, true, name)
      assert.equal(typeof body.checks[name].latency_ms, 'number')
    }
    assert.deepEqual(body.checks.durable_objects.objects, [
      'task-stream',
      'agent-bus',
      'worker-hub',
      'scheduler',
    ])
  })

  test('GET /health/detail names versions, the applied migration and latencies', async () => {
    const res = await api('/health/detail')
    assert.equal(res.status, 200)
    const body = await res.json()
    assert.equal(body.dependencies.postgres.migration, stack().migration)
    assert.match(body.dependencies.postgres.server_version, /^15\./)
    assert.match(body.version, /^\d+\.\d+\.\d+/)
    assert.equal(typeof body.dependencies.redis.latency_ms, 'number')
  })
})

describe('a Worker whose dependencies are down and whose auth is not configured', () => {
  let worker: Child
  let url: string

  before(async () => {
    const dead = await freePort() // nothing listens here
    const db = new URL(stack().databaseUrl)
    db.port = String(dead)
    const started = await startTestWorker('broken-worker', {
      DATABASE_URL: db.toString(),
      NEON_HTTP_ENDPOINT: stack().neonHttpUrl,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${dead}`,
      UPSTASH_REDIS_REST_TOKEN: 'unused',
    })
    worker = started.worker
    url = started.url
  })
  after(() => worker?.stop())

  test('/health stays 200: liveness does no I/O', async () => {
    assert.equal((await fetch(`${url}/health`)).status, 200)
  })

  test('/health/ready is 503 and names Postgres and Redis, without secrets', async () => {
    const res = await fetch(`${url}/health/ready`)
    assert.equal(res.status, 503)
    const body = await res.json()
    assert.deepEqual(body.failed, ['postgres', 'redis'])
    assert.equal(body.checks.durable_objects.ok, true)
    assert.equal(body.error.code, 'not_ready')
    assert.match(body.error.message, /postgres \(.+\), redis \(.+\)/s)
    const text = JSON.stringify(body)
    assert.ok(!text.includes(new URL(stack().databaseUrl).password), 'database password leaked')
  })

  test('API requests are refused with a clear message when no auth is configured', async () => {
    const res = await fetch(`${url}/v1/agent/workspaces`)
    assert.equal(res.status, 503)
    const body = await res.json()
    assert.equal(body.error.code, 'auth_not_configured')
    assert.match(body.error.message, /A2A_AUTH_TOKENS/)
  })

  test('without SECRETS_KEY the agent card does not offer push notifications', async () => {
    const card = await (await fetch(`${url}/.well-known/agent-card.json`)).json()
    assert.equal(card.capabilities.pushNotifications, false)
  })

  test('a bearer token is refused rather than guessed at', async () => {
    const res = await fetch(`${url}/v1/agent/workspaces`, {
      headers: { Authorization: `Bearer ${stack().devToken}` },
    })
    assert.equal(res.status, 401)
  })
})
