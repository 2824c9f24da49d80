/**
 * The floor for fan-out figures: a bare Node HTTP server holding N SSE responses that writes
 * one chunk to all of them when POSTed to. Measured by the same client code as the Worker,
 * so the client's own cost of reading N streams is in both.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { latencyFigure } from './lib'
import { fanoutLatencies } from './stream'

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
    const latencies = await fanoutLatencies(`${base}/stream`, {}, { subscribers, rounds }, (m) =>
      fetch(`${base}/emit`, { method: 'POST', body: JSON.stringify({ output: m }) }),
    )
    return latencyFigure(name, latencies)
  } finally {
    server.closeAllConnections()
    server.close()
  }
}
