/**
 * Idempotency keys against the stack's real Redis (through its REST endpoint, as the Worker
 * talks to it), with the task table reduced to a map whose ids are unique like its primary key.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { Redis } from '@upstash/redis/cloudflare'
import { idempotentCreate } from '../src/domain/limits/idempotency'
import { stack } from './helpers'

const redis = () => {
  const s = stack()
  return new Redis({ url: s.redisRestUrl, token: s.redisRestToken })
}

/** A table of rows keyed by id: a second insert of one id fails, as Postgres would. */
function table() {
  const rows = new Map<string, string>()
  return {
    rows,
    create: async (id: string, value = 'row') => {
      if (rows.has(id)) throw new Error('duplicate key value violates unique constraint')
      rows.set(id, value)
      return id
    },
    find: async (id: string) => (rows.has(id) ? id : undefined),
  }
}

const A = { tenantId: 'tenant-a', subject: 'alice' }
const B = { tenantId: 'tenant-b', subject: 'alice' }

describe('Idempotency-Key', () => {
  test('a request that died after reserving its key does not block the retry', async () => {
    const r = redis()
    const t = table()
    const key = `died-${randomUUID()}`
    // The first request reserves the key, then its Worker goes away before the insert.
    const first = idempotentCreate(r, A, key, { p: 1 }, () => new Promise(() => {}), t.find)
    void first
    await new Promise((done) => setTimeout(done, 50))
    const retry = await idempotentCreate(r, A, key, { p: 1 }, t.create, t.find)
    assert.equal(retry.replayed, true)
    assert.equal(t.rows.size, 1)
    const again = await idempotentCreate(r, A, key, { p: 1 }, t.create, t.find)
    assert.equal(again.value, retry.value, 'later repeats get the same row')
    assert.equal(t.rows.size, 1)
  })

  test('a slow first request and its retry still make one row', async () => {
    const r = redis()
    const t = table()
    const key = `slow-${randomUUID()}`
    let release = () => {}
    const gate = new Promise<void>((done) => {
      release = done
    })
    const slow = idempotentCreate(
      r,
      A,
      key,
      { p: 2 },
      async (id) => {
        await gate
        return t.create(id, 'first')
      },
      t.find,
    )
    await new Promise((done) => setTimeout(done, 50))
    const retry = await idempotentCreate(r, A, key, { p: 2 }, t.create, t.find)
    release()
    const late = await slow
    assert.equal(late.value, retry.value, 'the late first request answers with the same row')
    assert.equal(t.rows.size, 1)
  })

  test('a failed insert frees the key; keys are per tenant, per caller and per request', async () => {
    const r = redis()
    const t = table()
    const key = `fail-${randomUUID()}`
    const failing = async () => {
      throw new Error('bad row')
    }
    await assert.rejects(idempotentCreate(r, A, key, { p: 3 }, failing, t.find))
    const ok = await idempotentCreate(r, A, key, { p: 3 }, t.create, t.find)
    assert.equal(ok.replayed, false)
    const otherTenant = await idempotentCreate(r, B, key, { p: 3 }, t.create, t.find)
    assert.notEqual(otherTenant.value, ok.value)
    // Another member's same key and body is their own request, never a replay of alice's.
    const bob = await idempotentCreate(r, { ...A, subject: 'bob' }, key, { p: 3 }, t.create, t.find)
    assert.equal(bob.replayed, false)
    assert.notEqual(bob.value, ok.value)
    await assert.rejects(
      idempotentCreate(r, A, key, { p: 4 }, t.create, t.find),
      /different request/,
    )
  })
})
