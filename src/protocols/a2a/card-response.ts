/**
 * The public agent card as HTTP serves it: the shape the request's A2A version reads, built and
 * signed once (ES256 signatures differ on every signing, which would change the ETag on every
 * fetch), with the caching headers of A2A §8.6 and conditional GETs answered 304.
 */
import { AgentCard } from '@a2a-js/sdk'
import { toRestErrorBody, VersionNotSupportedError } from '@a2a-js/sdk/errors'
import type { Context } from 'hono'
import { type AppEnv, configOfContext } from '../../context'
import type { Config } from '../../env'
import { sha256Hex } from '../../lib/digest'
import { buildAgentCard, legacyCardJson } from './card'
import { signCard } from './signing'
import { type A2aVersion, namedVersion, versionOf } from './versions'

interface Served {
  body: string
  etag: string
  /** When this isolate first served this content: a card changes only with a deploy. */
  lastModified: Date
}

/**
 * Per configuration (parsed once per isolate), by shape and origin: the card is made of those
 * alone, so it is built and signed once, not on every fetch.
 */
const served = new WeakMap<Config, Map<string, Served>>()
const MAX_SERVED = 32

/** The version a card request reads: named by `A2A-Version` (header or query), else the default. */
function cardVersion(c: Context<AppEnv>, legacyPath: boolean): A2aVersion | undefined {
  if (legacyPath) return '0.3'
  const named = namedVersion(c)
  return named ? versionOf(named) : configOfContext(c).AGENT_CARD_DEFAULT_VERSION
}

async function cardFor(c: Context<AppEnv>, version: A2aVersion): Promise<Served> {
  const origin = new URL(c.req.url).origin
  const config = configOfContext(c)
  let cards = served.get(config)
  if (!cards) {
    cards = new Map()
    served.set(config, cards)
  }
  const key = `${version} ${origin}`
  const known = cards.get(key)
  if (known) return known
  const card = buildAgentCard(origin, config)
  // From the content, not the signature: every isolate gives the same card the same ETag.
  const etag = `"${(await sha256Hex(`${version} ${JSON.stringify(AgentCard.toJSON(card))}`)).slice(0, 24)}"`
  const signed = await signCard(card, config, origin)
  const body = JSON.stringify(version === '1.0' ? AgentCard.toJSON(signed) : legacyCardJson(signed))
  const entry = { body, etag, lastModified: new Date() }
  entry.lastModified.setMilliseconds(0) // HTTP dates have whole seconds
  if (cards.size >= MAX_SERVED) cards.clear()
  cards.set(key, entry)
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
