/**
 * The floor for fan-out figures: a bare Node HTTP server holding N SSE responses that writes
 * one chunk to all of them when POSTed to. Measured by the same client code as the Worker,
 * so the client's own cost of reading N streams is in both.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { latencyFigure } from './lib'
import { openStream } from './stream'

export async function sseFloorFigure(subscribers: number, rounds: number, name: string) {
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
      open.add(res)
      req.on('close', () => open.delete(res))
      return
    }
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const chunk = `event: output\ndata: ${body}\n\n`
      for (const r of open) r.write(chunk)
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const streams = []
    for (let i = 0; i < subscribers; i += 50) {
      const batch = Array.from({ length: Math.min(50, subscribers - i) }, () =>
        openStream(`${base}/stream`, undefined, {}),
      )
      streams.push(...(await Promise.all(batch)))
    }
    const latencies: number[] = []
    for (let round = 0; round < rounds; round++) {
      const marker = `chunk-${round}-${crypto.randomUUID()}`
      const arrivals = streams.map((s) => s.waitFor(marker))
      const t0 = performance.now()
      await fetch(`${base}/emit`, { method: 'POST', body: JSON.stringify({ output: marker }) })
      for (const at of await Promise.all(arrivals)) latencies.push(at - t0)
    }
    for (const s of streams) s.close()
    return latencyFigure(name, latencies)
  } finally {
    server.closeAllConnections()
    server.close()
  }
}
