/**
 * The one guard for URLs the server calls on a caller's say-so: push webhooks (A2A v1.0
 * §13.2), remote agents and their cards, MCP servers. http(s) only, no credentials in the
 * URL, and the host, after resolving its name, must be public unicast (ip-class.ts). Every
 * redirect hop is checked the same way before it is followed.
 *
 * What remains: the runtime resolves the name again when it connects, so a name whose
 * answers change between the two (DNS rebinding) is only narrowed to the cache window, not
 * closed; workerd cannot be told which address to connect to.
 */
import { ResolveError, resolveName } from './doh'
import { addressProblem, isIpLiteral } from './ip-class'

export interface OutboundPolicy {
  /** Dev and tests: anything http(s) goes. */
  allowPrivate: boolean
  /** Origins let through although private (an operator's internal MCP server). */
  allowOrigins: ReadonlySet<string>
  dohUrl: string
}

/** The parts of Config the guard reads (structural, so Node-side tests need not load env.ts). */
export interface GuardConfig {
  AUTH_MODE: string
  PUSH_ALLOW_PRIVATE: string
  OUTBOUND_ALLOW_ORIGINS: string[]
  DOH_URL: string
}

export function outboundPolicy(config: GuardConfig): OutboundPolicy {
  return {
    allowPrivate: config.AUTH_MODE === 'dev' || config.PUSH_ALLOW_PRIVATE === 'true',
    allowOrigins: new Set(config.OUTBOUND_ALLOW_ORIGINS),
    dohUrl: config.DOH_URL,
  }
}

/** A request the guard would not send; callers turn it into their own error shape. */
export class OutboundRefused extends Error {}

const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.lan']

/** Names that mean "this machine or its network" without DNS having a say. */
function nameProblem(host: string): string | undefined {
  // `localhost.` is `localhost`: a trailing dot only makes a name absolute, and slips past
  // comparisons with the dotless spelling.
  if (host.endsWith('.')) return 'a name ending in a dot'
  if (host === 'localhost' || LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return 'a local name'
  // A single label is completed by the resolver's search list: an internal host.
  if (!host.includes('.')) return 'a name without a domain'
  return undefined
}

/**
 * Why the server must not call `raw`, or undefined. Resolves the name (DoH), so it is
 * async; a name that does not resolve, or whose resolver fails, is refused.
 */
export async function outboundUrlProblem(
  raw: string,
  policy: OutboundPolicy,
): Promise<string | undefined> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'url is not a URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be http(s)'
  if (url.username || url.password) return 'url must not carry credentials; use authentication'
  if (policy.allowPrivate || policy.allowOrigins.has(url.origin)) return undefined
  const host = url.hostname.toLowerCase()
  if (isIpLiteral(host)) {
    const problem = addressProblem(host)
    return problem && `url points at ${problem}`
  }
  const named = nameProblem(host)
  if (named) return `url points at ${named}`
  let addresses: string[]
  try {
    addresses = await resolveName(policy.dohUrl, host)
  } catch (err) {
    if (err instanceof ResolveError) return `url host could not be resolved: ${err.message}`
    throw err
  }
  if (addresses.length === 0) return 'url host does not resolve'
  // Every answer must pass: the runtime may connect to any of them.
  for (const address of addresses) {
    const problem = addressProblem(address)
    if (problem) return `url host resolves to ${problem}`
  }
  return undefined
}

const MAX_HOPS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * fetch under the guard: the URL is checked, and so is every redirect's Location before it
 * is followed (at most MAX_HOPS), with the method and body rules of the fetch standard.
 * `redirect: 'manual'` hands the 3xx back (a caller following it comes through here again);
 * `'error'` throws. Refusals throw OutboundRefused.
 */
export async function outboundFetch(
  policy: OutboundPolicy,
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const first = new Request(input, init)
  const mode = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow')
  const headers = new Headers(first.headers)
  let method = first.method
  // Read once, so a 307/308 can send it again.
  let body: ArrayBuffer | undefined =
    method === 'GET' || method === 'HEAD' ? undefined : await first.arrayBuffer()
  let url = first.url
  for (let hop = 0; ; hop++) {
    const problem = await outboundUrlProblem(url, policy)
    if (problem) throw new OutboundRefused(hop ? `redirect ${problem}` : problem)
    const res = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: init?.signal ?? first.signal,
    })
    const location = res.headers.get('location')
    if (!REDIRECTS.has(res.status) || !location || mode === 'manual') return res
    await res.body?.cancel()
    if (mode === 'error') throw new OutboundRefused('the server answered with a redirect')
    if (hop + 1 >= MAX_HOPS) throw new OutboundRefused('too many redirects')
    const next = new URL(location, url)
    if ((res.status === 303 && method !== 'HEAD') || (res.status <= 302 && method === 'POST')) {
      method = 'GET'
      body = undefined
      headers.delete('content-type')
    }
    // As browsers do: credentials meant for one origin are not handed to another.
    if (next.origin !== new URL(url).origin) headers.delete('authorization')
    url = next.toString()
  }
}
