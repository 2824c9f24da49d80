import { CATALOGUE, NOT_CHAT } from './catalogue.js'
import type { Credential } from './credentials.js'

/** A model the worker can run, as it reports it: ids and providers only, never a key. */
export interface DiscoveredModel {
  /** `provider/model`, as a task's model_ref names it. */
  id: string
  name: string
  provider: string
  /**
   * `listed`: the provider's own model list said so; `catalogue`: the built-in list stood in;
   * `cli`: a coding CLI that is logged in runs it (the id starts with the CLI's name).
   */
  source: 'listed' | 'catalogue' | 'cli'
}

/** Per provider, at most: the server takes 500 models per worker. */
const PER_PROVIDER = 100

interface Listed {
  id: string
  name?: string
}

/** The provider's model list, by its own protocol. Throws when it cannot be fetched. */
async function list(c: Credential, timeoutMs: number): Promise<Listed[]> {
  const base = c.base.replace(/\/+$/, '')
  const signal = AbortSignal.timeout(timeoutMs)
  const headers: Record<string, string> =
    c.protocol === 'anthropic'
      ? { 'x-api-key': c.key ?? '', 'anthropic-version': '2023-06-01' }
      : c.protocol === 'google'
        ? { 'x-goog-api-key': c.key ?? '' }
        : c.key
          ? { Authorization: `Bearer ${c.key}` }
          : {}
  const url = c.protocol === 'google' ? `${base}/models?pageSize=1000` : `${base}/models?limit=1000`
  const res = await fetch(url, { headers, signal })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  const body = (await res.json()) as {
    data?: { id?: unknown; display_name?: unknown }[]
    models?: { name?: unknown; displayName?: unknown; supportedGenerationMethods?: unknown }[]
  }
  if (c.protocol === 'google') {
    return (body.models ?? [])
      .filter(
        (m) =>
          typeof m.name === 'string' &&
          (!Array.isArray(m.supportedGenerationMethods) ||
            m.supportedGenerationMethods.includes('generateContent')),
      )
      .map((m) => ({
        id: String(m.name).replace(/^models\//, ''),
        name: typeof m.displayName === 'string' ? m.displayName : undefined,
      }))
  }
  return (body.data ?? [])
    .filter((m) => typeof m.id === 'string')
    .map((m) => ({
      id: m.id as string,
      name: typeof m.display_name === 'string' ? m.display_name : undefined,
    }))
}

/**
 * The models of every provider this machine has a credential for: each provider's own list
 * (chat models), or its catalogue where the list cannot be fetched. `warn` hears which.
 */
export async function discoverModels(
  found: readonly Credential[],
  warn: (msg: string) => void,
  timeoutMs = 5000,
): Promise<DiscoveredModel[]> {
  const perProvider = await Promise.all(
    found.map(async (c): Promise<DiscoveredModel[]> => {
      const model = (m: Listed, source: DiscoveredModel['source']): DiscoveredModel => ({
        id: `${c.provider}/${m.id}`,
        name: m.name ?? m.id,
        provider: c.provider,
        source,
      })
      try {
        const listed = (await list(c, timeoutMs)).filter((m) => !NOT_CHAT.test(m.id))
        return listed
          .sort((a, b) => a.id.localeCompare(b.id))
          .slice(0, PER_PROVIDER)
          .map((m) => model(m, 'listed'))
      } catch (err) {
        const known = CATALOGUE[c.provider] ?? []
        warn(
          `${c.provider}: its model list could not be fetched (${(err as Error).message}); ${known.length ? `offering its ${known.length} catalogue models` : 'no models offered'}`,
        )
        return known.map((id) => model({ id }, 'catalogue'))
      }
    }),
  )
  return perProvider.flat()
}
