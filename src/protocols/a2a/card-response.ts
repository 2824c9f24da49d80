/**
 * The public agent card as HTTP serves it: the shape the request's A2A version reads, signed
 * once per content (ES256 signatures differ on every signing, which would change the ETag on
 * every fetch), with the caching headers of A2A §8.6 and conditional GETs answered 304.
 */
import { AgentCard } from '@a2a-js/sdk'
import { toRestErrorBody, VersionNotSupportedError } from '@a2a-js/sdk/errors'
import type { Context } from 'hono'
import { type AppEnv, configOfContext } from '../../context'
import { buildAgentCard, legacyCardJson } from './card'
import { signCard } from './signing'
import { type A2aVersion, namedVersion, versionOf } from './versions'

interface Served {
  body: string
  etag: string
  /** When this isolate first served this content: a card changes only with a deploy. */
  lastModified: Date
}

/** By unsigned content and shape; a handful per deployment (origins × versions). */
const served = new Map<string, Served>()
const MAX_SERVED = 32

/** The version a card request reads: named by `A2A-Version` (header or query), else the default. */
function cardVersion(c: Context<AppEnv>, legacyPath: boolean): A2aVersion | undefined {
  if (legacyPath) return '0.3'
  const named = namedVersion(c)
  return named ? versionOf(named) : configOfContext(c).AGENT_CARD_DEFAULT_VERSION
}

async function hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest).slice(0, 12)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
}

async function cardFor(c: Context<AppEnv>, version: A2aVersion): Promise<Served> {
  const origin = new URL(c.req.url).origin
  const config = configOfContext(c)
  const card = buildAgentCard(origin, config)
  const key = `${version} ${JSON.stringify(AgentCard.toJSON(card))}`
  const known = served.get(key)
  if (known) return known
  const signed = await signCard(card, config, origin)
  const body = JSON.stringify(version === '1.0' ? AgentCard.toJSON(signed) : legacyCardJson(signed))
  const entry = { body, etag: `"${await hex(key)}"`, lastModified: new Date() }
  entry.lastModified.setMilliseconds(0) // HTTP dates have whole seconds
  if (served.size >= MAX_SERVED) served.clear()
  served.set(key, entry)
  return entry
}

/** Whether the client's copy is current: If-None-Match wins over If-Modified-Since (RFC 9110). */
function fresh(c: Context, card: Served): boolean {
  const match = c.req.header('If-None-Match')
  if (match !== undefined)
    return match.split(',').some((t) => ['*', card.etag].includes(t.trim().replace(/^W\//, '')))
  const since = Date.parse(c.req.header('If-Modified-Since') ?? '')
  return !Number.isNaN(since) && card.lastModified.getTime() <= since
}

export async function serveAgentCard(c: Context<AppEnv>, legacyPath = false): Promise<Response> {
  const version = cardVersion(c, legacyPath)
  const vary = { Vary: 'A2A-Version' }
  if (!version) {
    const err = new VersionNotSupportedError(
      `A2A-Version ${namedVersion(c).slice(0, 20)} is not supported: use 1.0 or 0.3`,
    )
    return c.json(toRestErrorBody(err, 400), 400, vary)
  }
  const card = await cardFor(c, version)
  const headers = {
    ...vary,
    ETag: card.etag,
    'Last-Modified': card.lastModified.toUTCString(),
    'Cache-Control': 'public, max-age=300',
  }
  if (fresh(c, card)) return c.body(null, 304, headers)
  return c.body(card.body, 200, { ...headers, 'Content-Type': 'application/json' })
}
