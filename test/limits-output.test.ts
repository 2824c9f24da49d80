/**
 * Output bounds, in a tenant of its own with its limits lowered: a line over
 * output_line_bytes and output past task_output_bytes (every attempt together) are refused
 * by name with a 413, the lines before them kept; resends stay harmless; and the stored
 * output reads back page by page, nothing lost or doubled.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { MAX_LINE_UNITS, splitLine } from '../agent-worker/src/worker/lines'
import { byteLength } from '../src/domain/limits/table'
import { newTenantAdmin } from './helpers'
import type { Json } from './limits-helpers'
import * as shared from './limits-helpers'

let key: string
let worker: string

const call = (method: string, path: string, json?: unknown, headers = {}) =>
  shared.call(key, method, path, json, headers)
const setLimits = (values: Record<string, number | null>) => shared.setLimits(key, values)

/** A task of this tenant, claimed by its worker: its id and the claim's attempt. */
async function claimedTask() {
  const created = await call('POST', '/v1/agent/tasks', { prompt: 'write a lot' })
  assert.equal(created.status, 200, JSON.stringify(created.body))
  return { id: created.body.id as string, attempt: await claim(created.body.id) }
}

async function claim(id: string): Promise<number> {
  const r = await call('POST', '/v1/worker/tasks/claim', { task_id: id }, { 'X-Worker-ID': worker })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body.attempt
}

const send = (id: string, attempt: number, lines: string[], line?: number) =>
  call('POST', `/v1/agent/tasks/${id}/output`, { worker_id: worker, attempt, lines, line })

/** Every stored line, following next_since while more is true. */
async function readAll(id: string, limit?: number) {
  const lines: { seq: number; output: string; line?: number }[] = []
  let since = 0
  let pages = 0
  for (;;) {
    const r = await call(
      'GET',
      `/v1/agent/tasks/${id}/output?since=${since}${limit ? `&limit=${limit}` : ''}`,
    )
    assert.equal(r.status, 200, JSON.stringify(r.body))
    pages++
    assert.equal(r.body.total, r.body.outputs.length)
    lines.push(...r.body.outputs)
    since = r.body.next_since
    if (!r.body.more) return { lines, pages }
  }
}

/** Half of a surrogate pair without the other half (not valid Unicode; Postgres refuses it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const refusedBy = (r: { status: number; body: Json }, limit: string) =>
  shared.refusedBy(r, limit, 413)

before(async () => {
  ;({ key } = await newTenantAdmin())
  worker = `w-${crypto.randomUUID().slice(0, 8)}`
  const r = await call('POST', '/v1/agent/workers/register', { worker_id: worker, name: worker })
  assert.equal(r.status, 200, JSON.stringify(r.body))
})

describe('output limits', () => {
  test('a line over output_line_bytes is refused by name, counted in bytes', async () => {
    await setLimits({ output_line_bytes: 1000, task_output_bytes: null })
    const { id, attempt } = await claimedTask()
    assert.equal((await send(id, attempt, ['a'.repeat(1000)], 1)).status, 200)
    const long = await send(id, attempt, ['b'.repeat(1001)], 2)
    refusedBy(long, 'output_line_bytes')
    assert.deepEqual([long.body.error.details.value, long.body.error.details.used], [1000, 1001])
    // 400 characters, 1,200 bytes of UTF-8: what is stored is what counts.
    refusedBy(await send(id, attempt, ['ok', '€'.repeat(400)], 2), 'output_line_bytes')
    const { lines } = await readAll(id)
    assert.deepEqual(
      lines.map((l) => l.output.length),
      [1000],
      'the refused batches stored nothing',
    )
  })

  test('output past task_output_bytes is refused by name; the lines before it are kept', async () => {
    await setLimits({ output_line_bytes: 1000, task_output_bytes: 10_000 })
    const { id, attempt } = await claimedTask()
    const kb = (c: string) => c.repeat(1000)
    for (let n = 1; n <= 9; n++)
      assert.equal((await send(id, attempt, [kb(String(n))], n)).status, 200)
    // Three lines of 600 bytes where 1,000 are left: the first is stored, then the refusal.
    const batch = ['x', 'y', 'z'].map((c) => c.repeat(600))
    const full = await send(id, attempt, batch, 10)
    refusedBy(full, 'task_output_bytes')
    assert.deepEqual(
      [full.body.error.details.value, full.body.error.details.used],
      [10_000, 10_800],
    )
    // A resend of stored lines is still a harmless duplicate, and of the refused ones a 413.
    const again = await send(id, attempt, [kb('1'), kb('2')], 1)
    assert.deepEqual([again.status, again.body.duplicate], [200, true])
    refusedBy(await send(id, attempt, batch, 10), 'task_output_bytes')

    const stored = (await readAll(id)).lines
    assert.deepEqual(
      stored.map((l) => [l.line, l.output[0], l.output.length]),
      [...Array.from({ length: 9 }, (_, i) => [i + 1, String(i + 1), 1000]), [10, 'x', 600]],
    )

    // A second attempt adds to the first's: 400 bytes are left for the whole task.
    const letGo = await call(
      'POST',
      '/v1/worker/tasks/release',
      { task_id: id, attempt },
      { 'X-Worker-ID': worker },
    )
    assert.equal(letGo.status, 200, JSON.stringify(letGo.body))
    const second = await claim(id)
    assert.equal(second, attempt + 1)
    assert.equal((await send(id, second, ['r'.repeat(400)], 1)).status, 200)
    refusedBy(await send(id, second, ['!'], 2), 'task_output_bytes')
    const total = (await readAll(id)).lines.reduce((n, l) => n + l.output.length, 0)
    assert.equal(total, 10_000)
  })

  test('1,200 lines read back in pages: in order, nothing lost or doubled', async () => {
    await setLimits({ output_line_bytes: null, task_output_bytes: null })
    const { id, attempt } = await claimedTask()
    const want = Array.from({ length: 1200 }, (_, i) => `line ${i + 1}`)
    for (let at = 0; at < want.length; at += 400)
      assert.equal((await send(id, attempt, want.slice(at, at + 400), at + 1)).status, 200)

    const first = await call('GET', `/v1/agent/tasks/${id}/output`)
    assert.deepEqual([first.body.total, first.body.more], [500, true], 'the default page is 500')
    assert.equal(first.body.next_since, first.body.outputs.at(-1).seq)

    const byDefault = await readAll(id)
    assert.deepEqual(
      byDefault.lines.map((l) => l.output),
      want,
    )
    assert.equal(byDefault.pages, 3)
    const small = await readAll(id, 70)
    assert.deepEqual(
      small.lines.map((l) => l.output),
      want,
    )
    assert.equal(new Set(small.lines.map((l) => l.seq)).size, 1200)
    assert.equal(small.pages, Math.ceil(1200 / 70))
    const big = await call('GET', `/v1/agent/tasks/${id}/output?limit=2000`)
    assert.deepEqual([big.body.total, big.body.more], [1200, false])

    // The status events between lines do not shorten a page; the end says there is no more.
    await call(
      'POST',
      '/v1/worker/tasks/release',
      { task_id: id, attempt, status: 'completed', result: 'ok' },
      { 'X-Worker-ID': worker },
    )
    const last = await call('GET', `/v1/agent/tasks/${id}/output?since=${big.body.next_since}`)
    assert.deepEqual(
      [last.body.total, last.body.more, last.body.next_since],
      [0, false, big.body.next_since],
    )
    for (const limit of [0, 2001, -1])
      assert.equal((await call('GET', `/v1/agent/tasks/${id}/output?limit=${limit}`)).status, 400)
  })

  test('a page stops at its byte budget, however many lines were asked for', async () => {
    await setLimits({ output_line_bytes: 1024 * 1024, task_output_bytes: null })
    const { id, attempt } = await claimedTask()
    // 12 lines of 1 MB (one a request: the body limit is 1 MiB): more than a page may carry.
    for (let n = 1; n <= 12; n++)
      assert.equal((await send(id, attempt, [String(n % 10).repeat(1_000_000)], n)).status, 200)
    const r = await call('GET', `/v1/agent/tasks/${id}/output?limit=2000`)
    assert.ok(r.body.total >= 1 && r.body.total < 12, `a page of ${r.body.total} lines`)
    assert.equal(r.body.more, true)
    const all = await readAll(id, 2000)
    assert.deepEqual(
      all.lines.map((l) => [l.line, l.output.length]),
      Array.from({ length: 12 }, (_, i) => [i + 1, 1_000_000]),
    )
    assert.ok(all.pages >= 3, `${all.pages} pages`)
  })

  test("the worker's cut: pieces in order, each at most 96 KiB, no surrogate pair split", () => {
    assert.deepEqual(splitLine('short'), ['short'])
    assert.deepEqual(splitLine(''), [''])
    const worst = '\u{10ffff}'.repeat(40_000) + '€'.repeat(40_000) + 'x'.repeat(100)
    for (const text of [worst, `x${worst}`, 'y'.repeat(MAX_LINE_UNITS * 3)]) {
      const pieces = splitLine(text)
      assert.equal(pieces.join(''), text)
      for (const p of pieces) {
        assert.ok(p.length <= MAX_LINE_UNITS && p.length > 0)
        assert.ok(byteLength(p) <= 96 * 1024)
        assert.doesNotMatch(p, LONE_SURROGATE)
      }
    }
    assert.equal(splitLine('y'.repeat(MAX_LINE_UNITS * 3)).length, 3)
  })
})
