import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sqlState } from '../src/lib/db-error'
import { redact } from '../src/lib/log'

test('the SQLSTATE is found through driver and drizzle wrappers', () => {
  const pgError = Object.assign(new Error('insert violates foreign key'), { code: '23503' })
  const wrapped = Object.assign(new Error('Failed query: insert ...'), { cause: pgError })
  assert.equal(sqlState(wrapped), '23503')
  assert.equal(sqlState(new Error('plain')), undefined)
  assert.equal(sqlState(Object.assign(new Error('node'), { code: 'ECONNREFUSED' })), undefined)
})

test('log redaction removes credentials from URLs, bearer tokens and API keys', () => {
  const line = redact(
    'connect postgres://app:s3cret@db:5432/x failed; Authorization: Bearer abc.def-ghi; key ct_live_0123456789abcdef',
  )
  assert.ok(!line.includes('s3cret'))
  assert.ok(!line.includes('abc.def-ghi'))
  assert.ok(!line.includes('0123456789abcdef'))
  assert.match(line, /postgres:\/\/<redacted>@db/)
})

test('log redaction and transcript redaction are one list: env pairs, provider keys, dev tokens', () => {
  const line = redact(
    'OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx dev ctdev_0123456789abcdef0123 password: hunter22',
  )
  for (const secret of ['sk-proj-abcdefghijklmnopqrstuvwx', '0123456789abcdef0123', 'hunter22'])
    assert.ok(!line.includes(secret), `${secret} left in: ${line}`)
  assert.equal(redact('GET /v1/agent/tasks 200'), 'GET /v1/agent/tasks 200')
  // Inside JSON text the value goes and the shape stays.
  assert.equal(redact('{"usage":{"api_key":1234567}}'), '{"usage":{"api_key":<redacted>}}')
})
