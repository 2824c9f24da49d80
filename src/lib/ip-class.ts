/**
 * Which addresses the server may call on a caller's say-so. An allowlist, not a blocklist:
 * only public unicast passes, so a range nobody thought of is refused rather than reached.
 * Parsing is ipaddr.js's (compressed IPv6, embedded IPv4, the legacy IPv4 spellings such as
 * `2130706433` and `0x7f.1` that resolvers and some URL parsers still accept).
 */
import ipaddr from 'ipaddr.js'

type V4 = ipaddr.IPv4
type V6 = ipaddr.IPv6

const v6 = (cidr: string) => ipaddr.IPv6.parseCIDR(cidr)
// Only 2000::/3 is allocated as global unicast; everything else is special or unassigned.
const GLOBAL_UNICAST = v6('2000::/3')
// IPv4-compatible (deprecated, ::a.b.c.d): ipaddr.js calls these plain unicast, yet a
// dual-stack host may route them to the embedded IPv4 address.
const COMPATIBLE = v6('::/96')
const NAT64 = v6('64:ff9b::/96')

function v4Problem(addr: V4): string | undefined {
  const range = addr.range()
  return range === 'unicast' ? undefined : `${range} address ${addr.toString()}`
}

/** The IPv4 address an IPv6 one stands for (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(addr: V6): V4 | undefined {
  const p = addr.parts
  const last32 = () => lastWords(p[6], p[7])
  if (addr.isIPv4MappedAddress() || addr.range() === 'rfc6145') return last32()
  if (addr.match(COMPATIBLE) && addr.range() === 'unicast') return last32()
  if (addr.match(NAT64)) return last32()
  if (addr.range() === '6to4') return lastWords(p[1], p[2])
  return undefined
}

const lastWords = (hi = 0, lo = 0) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff])

function v6Problem(addr: V6): string | undefined {
  const inner = embeddedV4(addr)
  if (inner) {
    const problem = v4Problem(inner)
    return problem && `${addr.toString()}, an IPv6 form of ${problem}`
  }
  const range = addr.range()
  if (range !== 'unicast' || !addr.match(GLOBAL_UNICAST)) {
    const name = range === 'unicast' ? 'non-global' : range
    return `${name} address ${addr.toString()}`
  }
  return undefined
}

/** Whether `host` is written as an IP address, in any spelling ipaddr.js understands. */
export const isIpLiteral = (host: string) => ipaddr.isValid(host.replace(/^\[|\]$/g, ''))

/**
 * Why `ip` must not be called (loopback, private, link-local, unique-local, benchmark,
 * reserved, or an IPv6 spelling of one of those), or undefined for a public address.
 */
export function addressProblem(ip: string): string | undefined {
  const bare = ip.replace(/^\[|\]$/g, '')
  if (!ipaddr.isValid(bare)) return `${ip}, not an IP address`
  const addr = ipaddr.parse(bare)
  return addr.kind() === 'ipv4' ? v4Problem(addr as V4) : v6Problem(addr as V6)
}
