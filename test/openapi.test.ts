/**
 * The OpenAPI document as a contract: every JSON answer it lists is described (not "any"), and
 * what the routes really answer matches what it says, checked against the running Worker.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { z } from 'zod'
import { API_TYPES_FILE, printApiTypes } from '../scripts/api-types'
import { ROOT } from '../scripts/stack/wrangler'
import { api } from './helpers'

type Schema = Record<string, unknown>
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>
}
interface Doc {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

const doc = async () => (await (await api('/openapi.json', { token: null })).json()) as Doc

/** The schema with every `$ref` to a component replaced by the component itself. */
function inline(d: Doc, s: unknown, depth = 0): unknown {
  if (depth > 20 || s === null || typeof s !== 'object') return s
  if (Array.isArray(s)) return s.map((x) => inline(d, x, depth + 1))
  const ref = (s as { $ref?: string }).$ref
  if (ref) return inline(d, d.components?.schemas?.[ref.split('/').pop() as string], depth + 1)
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, inline(d, v, depth + 1)]))
}

/** Whether a schema says what comes back: not "anything", not "some object". */
function described(s: Schema | undefined): boolean {
  if (!s) return false
  const keys = Object.keys(s).filter((k) => k !== 'description')
  if (keys.length === 0) return false
  const any = (x: unknown) =>
    x === undefined || x === true || (typeof x === 'object' && !!x && Object.keys(x).length === 0)
  if (s.type === 'object' && !s.properties && any(s.additionalProperties)) return false
  if (s.type === 'array') return described(s.items as Schema | undefined)
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k]))
      return (s[k] as Schema[]).every((b) => b.type === 'null' || described(b))
  }
  return true
}

/**
 * The JSON 200 answer of each operation. A redirect (no 200), a stream or a file (another
 * content type) has none; a 200 that names no content at all counts as undescribed.
 */
function answers(d: Doc) {
  return Object.entries(d.paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) => {
      const ok = op.responses?.['200']
      if (!ok) return []
      const types = Object.keys(ok.content ?? {})
      if (types.length > 0 && !types.includes('application/json')) return []
      const schema = ok.content?.['application/json']?.schema
      return [{ path, method, schema: inline(d, schema) as Schema | undefined }]
    }),
  )
}

describe('the OpenAPI document', () => {
  test('describes every JSON answer', async () => {
    const d = await doc()
    const vague = answers(d)
      .filter((a) => !described(a.schema))
      .map((a) => `${a.method.toUpperCase()} ${a.path}`)
    assert.deepEqual(vague, [], 'answers documented as "any" or a bare object')
  })

  test('matches what the routes answer', async () => {
    const d = await doc()
    const created = await api('/v1/agent/tasks', { method: 'POST', json: { prompt: 'described' } })
    const task = (await created.json()) as { id: string }
    const ids: Record<string, string> = { id: task.id, task_id: task.id }
    const checked: string[] = []
    const wrong: string[] = []
    for (const a of answers(d)) {
      if (a.method !== 'get' || !a.schema) continue
      // Every parameterless read, and the reads of the task made above.
      const params = [...a.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)
      if (params.some((p) => !ids[p]) || !a.path.startsWith('/v1/')) continue
      const url = a.path.replace(/\{(\w+)\}/g, (_, p: string) => ids[p] as string)
      const res = await api(url)
      if (res.status !== 200) {
        await res.body?.cancel()
        continue // a read that needs a query or a role the dev principal lacks
      }
      const got = z
        .fromJSONSchema(a.schema as z.core.JSONSchema.JSONSchema)
        .safeParse(await res.json())
      checked.push(url)
      if (!got.success) wrong.push(`GET ${a.path}: ${z.prettifyError(got.error)}`)
    }
    await api(`/v1/agent/tasks/${task.id}/cancel`, { method: 'POST' })
    assert.deepEqual(wrong, [])
    assert.ok(checked.length >= 20, `only ${checked.length} reads checked: ${checked.join(', ')}`)
  })
})

test('the REST API types the worker is typed from are what `npm run types:api` prints now', async () => {
  assert.equal(
    readFileSync(join(ROOT, API_TYPES_FILE), 'utf8'),
    printApiTypes(await doc()),
    'run `npm run types:api` after changing a route or a schema',
  )
})
