/**
 * URLs the server may call on a caller's say-so (push webhooks, A2A v1.0 §13.2; remote
 * agents' cards): http(s) only, and never loopback, private, link-local or unique-local
 * addresses, unless explicitly allowed (dev, tests).
 */
export function outboundUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'url is not a URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be http(s)'
  if (url.username || url.password) return 'url must not carry credentials; use authentication'
  if (allowPrivate) return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host.endsWith('.internal')
  ) {
    return 'url points at a local name'
  }
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])]
    if (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    ) {
      return 'url points at a private or loopback address'
    }
  }
  if (
    host.includes(':') &&
    (host === '::1' ||
      host === '::' ||
      /^f[cd]/.test(host) ||
      /^fe[89ab]/.test(host) ||
      host.startsWith('::ffff:'))
  ) {
    return 'url points at a private or loopback address'
  }
  return undefined
}
