import { connect, createServer, type Server, type Socket } from 'node:net'

/** Which long-lived stream a connection carries, read off its request line. */
export type StreamKind = 'task' | 'worker'

const kindOf = (requestLine: string): StreamKind | undefined => {
  if (/^GET \S*\/v1\/worker\/tasks\/stream/.test(requestLine)) return 'worker'
  if (/^GET \S*\/output\/stream/.test(requestLine)) return 'task'
  return undefined
}

export interface ChaosProxy {
  url: string
  /** Resets one open stream connection of this kind (a TCP RST, as a dropped network does). */
  cut(kind: StreamKind): boolean
  cuts: Record<StreamKind, number>
  close(): Promise<void>
}

/**
 * A TCP proxy in front of the server that everything under test connects through, so the
 * harness can drop chosen SSE connections mid-stream without touching either side's code.
 */
export async function startChaosProxy(upstreamPort: number): Promise<ChaosProxy> {
  const streams = new Map<Socket, { kind: StreamKind; upstream: Socket }>()
  const sockets = new Set<Socket>()
  const cuts: Record<StreamKind, number> = { task: 0, worker: 0 }

  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1')
    sockets.add(client).add(upstream)
    const drop = () => {
      streams.delete(client)
      sockets.delete(client)
      sockets.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (chunk: Buffer) => {
      // Keep-alive connections carry several requests: classify each one as it starts.
      const line = chunk.subarray(0, 200).toString('latin1').split('\r\n', 1)[0] ?? ''
      if (/^[A-Z]+ \S+ HTTP\/1/.test(line)) {
        const kind = kindOf(line)
        if (kind) streams.set(client, { kind, upstream })
        else streams.delete(client)
      }
    })
    client.pipe(upstream).pipe(client)
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('the chaos proxy has no port')

  return {
    url: `http://127.0.0.1:${address.port}`,
    cuts,
    cut(kind) {
      const open = [...streams].filter(([, s]) => s.kind === kind)
      const picked = open[Math.floor(Math.random() * open.length)]
      if (!picked) return false
      const [client, { upstream }] = picked
      streams.delete(client)
      client.resetAndDestroy()
      upstream.destroy()
      cuts[kind]++
      return true
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
