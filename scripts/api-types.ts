/**
 * `npm run types:api`: the REST API's types for its clients, printed from the OpenAPI document
 * into a generated, untracked file of the agent worker, the client typed by it (npm ci, npm test
 * and typecheck write it; it needs the built agent-kit, which the app imports)
 * the app builds (`/openapi.json`), in the shape openapi-typescript prints (`paths`,
 * `components`), so that openapi-fetch types the agent worker's calls from it. openapi-typescript
 * itself builds its output with TypeScript 5's compiler API, which TypeScript 7 (ours) does not
 * have; the document uses a small part of JSON Schema, printed here.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const API_TYPES_FILE = 'agent-worker/src/generated/rest-api.ts'

type Schema = {
  $ref?: string
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  description?: string
}
interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: Schema
}
interface Operation {
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>
}
export interface Doc {
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const
// Statuses stay numbers, as openapi-fetch matches them (200, not "200").
const key = (k: string) => (/^([A-Za-z_$][\w$]*|[1-5]\d\d)$/.test(k) ? k : JSON.stringify(k))
const pad = (depth: number) => '  '.repeat(depth)

/** A TypeScript type for a schema, indented for `depth`. */
function typeOf(s: Schema | boolean | undefined, depth: number): string {
  if (s === undefined || s === true) return 'unknown'
  if (s === false) return 'never'
  if (s.$ref) return `components["schemas"][${JSON.stringify(s.$ref.split('/').pop())}]`
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  if (s.anyOf ?? s.oneOf) return union((s.anyOf ?? s.oneOf ?? []).map((x) => typeOf(x, depth)))
  if (s.allOf) return s.allOf.map((x) => `(${typeOf(x, depth)})`).join(' & ')
  if (Array.isArray(s.type)) return union(s.type.map((t) => typeOf({ ...s, type: t }, depth)))
  switch (s.type) {
    case 'string':
      return 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      return `Array<${typeOf(s.items, depth)}>`
    case 'object':
      return objectOf(s, depth)
    default:
      return s.properties ? objectOf(s, depth) : 'unknown'
  }
}

const union = (types: string[]) => [...new Set(types)].join(' | ') || 'never'

function objectOf(s: Schema, depth: number): string {
  const required = new Set(s.required ?? [])
  const lines = Object.entries(s.properties ?? {}).map(([name, p]) => {
    const doc = p.description
      ? `${pad(depth + 1)}/** ${p.description.replace(/\*\//g, '*\\/')} */\n`
      : ''
    const optional = required.has(name) ? '' : '?'
    return `${doc}${pad(depth + 1)}${key(name)}${optional}: ${typeOf(p, depth + 1)}`
  })
  const extra = s.additionalProperties
  // An index signature must admit every named property's type, so open objects say unknown.
  if (extra !== undefined && extra !== false) {
    const value = lines.length || extra === true ? 'unknown' : typeOf(extra, depth + 1)
    lines.push(`${pad(depth + 1)}[key: string]: ${value}`)
  }
  return lines.length ? `{\n${lines.join('\n')}\n${pad(depth)}}` : 'Record<string, never>'
}

/** `{ a: T; b?: U }` from name → [type, required] rows, or `never` when there are none. */
function members(rows: [string, string, boolean][], depth: number): string {
  if (!rows.length) return 'never'
  const body = rows.map(([n, t, req]) => `${pad(depth + 1)}${key(n)}${req ? '' : '?'}: ${t}`)
  return `{\n${body.join('\n')}\n${pad(depth)}}`
}

/** What each media type of a request or a response carries. */
function contentOf(content: Record<string, { schema?: Schema }> | undefined, depth: number) {
  const rows = Object.entries(content ?? {}).map(([media, m]): [string, string, boolean] => [
    media,
    typeOf(m.schema, depth + 1),
    true,
  ])
  return rows.length ? `content: ${members(rows, depth)}` : 'content?: never'
}

function operationOf(op: Operation, depth: number): string {
  const d = depth + 1
  const params = (where: Parameter['in']) => {
    const of = (op.parameters ?? []).filter((p) => p.in === where)
    const rows = of.map((p): [string, string, boolean] => [
      p.name,
      typeOf(p.schema, d + 1),
      p.required === true,
    ])
    const required = of.some((p) => p.required)
    return `${pad(d + 1)}${where}${required ? '' : '?'}: ${members(rows, d + 1)}`
  }
  const parameters = `${pad(d)}parameters: {\n${(['query', 'header', 'path', 'cookie'] as const).map(params).join('\n')}\n${pad(d)}}`
  const body = op.requestBody
  const requestBody = body
    ? `${pad(d)}requestBody${body.required ? '' : '?'}: {\n${pad(d + 1)}${contentOf(body.content, d + 1)}\n${pad(d)}}`
    : `${pad(d)}requestBody?: never`
  const responses = Object.entries(op.responses ?? {}).map(
    ([status, r]) =>
      `${pad(d + 1)}${key(status)}: {\n${pad(d + 2)}headers: { [name: string]: unknown }\n${pad(d + 2)}${contentOf(r.content, d + 2)}\n${pad(d + 1)}}`,
  )
  return `{\n${parameters}\n${requestBody}\n${pad(d)}responses: {\n${responses.join('\n')}\n${pad(d)}}\n${pad(depth)}}`
}

/** The module's text: `paths` and `components` for the document. */
export function printApiTypes(doc: Doc): string {
  const paths = Object.keys(doc.paths ?? {})
    .sort()
    .map((path) => {
      const item = doc.paths?.[path] ?? {}
      const ops = METHODS.filter((m) => item[m]).map(
        (m) => `${pad(2)}${m}: ${operationOf(item[m] as Operation, 2)}`,
      )
      return `${pad(1)}${JSON.stringify(path)}: {\n${ops.join('\n')}\n${pad(1)}}`
    })
  const schemas = Object.keys(doc.components?.schemas ?? {})
    .sort()
    .map((name) => `${pad(2)}${key(name)}: ${typeOf(doc.components?.schemas?.[name], 2)}`)
  return [
    '// Generated by `npm run types:api` (scripts/api-types.ts) from the OpenAPI document: do not edit.',
    '',
    `export interface paths {\n${paths.join('\n')}\n}`,
    '',
    `export interface components {\n${pad(1)}schemas: {\n${schemas.join('\n')}\n${pad(1)}}\n}`,
    '',
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The app, built in Node as the Worker builds it. Imported by a computed name: its modules
  // are typed for the Worker (tsconfig.json), not for Node scripts like this one.
  const appModule = '../src/app.ts'
  const { createApp } = (await import(appModule)) as {
    createApp(): { getOpenAPI31Document(o: object): Doc }
  }
  const doc = createApp().getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'CodeTether REST API', version: '0' },
  })
  const file = join(fileURLToPath(new URL('..', import.meta.url)), API_TYPES_FILE)
  const text = printApiTypes(doc)
  // Unchanged types leave the file alone, so the builds that depend on it stay up to date.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
    console.log(`wrote ${API_TYPES_FILE}`)
  }
}
