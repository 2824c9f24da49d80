/**
 * A DNS-over-HTTPS resolver at the wire: the JSON API (`GET ?name=&type=`, answered as
 * `application/dns-json` with Status/Question/Answer, as Cloudflare's and Google's do),
 * serving a fixed zone so tests can make a name lead anywhere.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const TYPES: Record<string, number> = { A: 1, AAAA: 28, CNAME: 5 }

/** name → records, e.g. `{ 'internal.test': { A: ['127.0.0.1'] } }`. */
export type Zone = Record<string, Partial<Record<'A' | 'AAAA' | 'CNAME', string[]>>>

export async function startDoh(
  zone: Zone,
): Promise<{ url: string; queries: string[]; server: Server }> {
  const queries: string[] = []
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams
    const name = (q.get('name') ?? '').toLowerCase().replace(/\.$/, '')
    const typeParam = q.get('type') ?? 'A'
    const type = TYPES[typeParam.toUpperCase()] ?? Number(typeParam)
    queries.push(`${name}/${type}`)
    const entry = zone[name]
    const answer: { name: string; type: number; TTL: number; data: string }[] = []
    for (const cname of entry?.CNAME ?? []) answer.push({ name, type: 5, TTL: 30, data: cname })
    const wanted = type === 1 ? entry?.A : type === 28 ? entry?.AAAA : undefined
    for (const data of wanted ?? []) answer.push({ name, type, TTL: 30, data })
    res.writeHead(200, { 'content-type': 'application/dns-json' })
    res.end(
      JSON.stringify({
        Status: entry ? 0 : 3, // NOERROR, or NXDOMAIN for a name not in the zone
        TC: false,
        RD: true,
        RA: true,
        AD: false,
        CD: false,
        Question: [{ name: `${name}.`, type }],
        ...(answer.length ? { Answer: answer } : {}),
      }),
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/dns-query`, queries, server }
}
