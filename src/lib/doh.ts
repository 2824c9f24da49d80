/**
 * Names to addresses over DNS-over-HTTPS (the JSON API, `application/dns-json`): workerd has
 * no resolver of its own, and the outbound guard must see the addresses a name leads to.
 * Answers are cached briefly (their TTL, capped) so a burst of deliveries asks once.
 */
import { z } from 'zod'

const A = 1
const AAAA = 28
const MAX_CACHE_SECONDS = 60
const MIN_CACHE_SECONDS = 5
const TIMEOUT_MS = 5_000
const MAX_ENTRIES = 1_000

const Reply = z.object({
  Status: z.number().int(),
  Answer: z
    .array(z.object({ type: z.number().int(), TTL: z.number().optional(), data: z.string() }))
    .optional(),
})

export class ResolveError extends Error {}

const cache = new Map<string, { addresses: string[]; until: number }>()

async function ask(dohUrl: string, name: string, type: number) {
  const url = new URL(dohUrl)
  url.searchParams.set('name', name)
  url.searchParams.set('type', String(type))
  let json: unknown
  try {
    const res = await fetch(url, {
      headers: { accept: 'application/dns-json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    if (!res.ok) throw new ResolveError(`the resolver answered ${res.status}`)
    json = await res.json()
  } catch (err) {
    if (err instanceof ResolveError) throw err
    throw new ResolveError('the resolver did not answer')
  }
  const reply = Reply.safeParse(json)
  if (!reply.success) throw new ResolveError('the resolver gave an unreadable answer')
  // 0 NOERROR, 3 NXDOMAIN (no such name: no addresses); anything else is a failure.
  if (reply.data.Status === 3) return []
  if (reply.data.Status !== 0) throw new ResolveError(`the resolver failed (${reply.data.Status})`)
  // CNAME records come along in the chain; only the addresses at its end count.
  return (reply.data.Answer ?? []).filter((r) => r.type === type)
}

/** Every A and AAAA address of `name`; throws ResolveError when the resolver cannot say. */
export async function resolveName(dohUrl: string, name: string): Promise<string[]> {
  const key = `${dohUrl} ${name}`
  const hit = cache.get(key)
  if (hit && hit.until > Date.now()) return hit.addresses
  const records = (await Promise.all([ask(dohUrl, name, A), ask(dohUrl, name, AAAA)])).flat()
  const ttl = Math.min(MAX_CACHE_SECONDS, ...records.map((r) => r.TTL ?? MAX_CACHE_SECONDS))
  const addresses = records.map((r) => r.data)
  if (cache.size >= MAX_ENTRIES) cache.clear()
  cache.set(key, { addresses, until: Date.now() + Math.max(MIN_CACHE_SECONDS, ttl) * 1000 })
  return addresses
}
