/**
 * Agent bus figures: a direct message from its sender's POST to the receiver's open stream,
 * beside a heartbeat (one write through the Worker, the floor of a stored message); and one
 * event published to 100 subscribers, until each has it.
 */
import { type Figure, latencyFigure } from './lib'
import { openStream } from './stream'

async function post(url: string, headers: Record<string, string>, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`)
  return text
}

export async function busFigures(
  base: string,
  headers: Record<string, string>,
  opts: { messages: number; subscribers: number; rounds: number; label: string },
): Promise<Figure[]> {
  const run = crypto.randomUUID().slice(0, 8)
  const rx = `bench-rx-${run}:1`
  const tx = `bench-tx-${run}:1`
  for (const name of [rx, tx]) await post(`${base}/v1/agents`, headers, { name })
  const stream = await openStream(
    `${base}/v1/agents/${encodeURIComponent(rx)}/stream`,
    undefined,
    headers,
  )
  await stream.firstAt

  const beat: number[] = []
  const direct: number[] = []
  for (let i = 0; i < opts.messages + 10; i++) {
    let t0 = performance.now()
    await post(`${base}/v1/agents/${encodeURIComponent(tx)}/heartbeat`, headers, {})
    const hb = performance.now() - t0
    const marker = `msg-${i}-${crypto.randomUUID()}`
    const arrived = stream.waitFor(marker)
    t0 = performance.now()
    await post(`${base}/v1/agents/${encodeURIComponent(rx)}/messages`, headers, {
      from: tx,
      text: marker,
    })
    const took = (await arrived) - t0
    if (i >= 10) {
      beat.push(hb)
      direct.push(took)
    }
  }
  stream.close()

  const topic = `bench.${run}.tick`
  const subscribers = Array.from({ length: opts.subscribers }, (_, i) => `bench-sub-${run}:${i}`)
  const streams = []
  for (const name of subscribers) {
    await post(`${base}/v1/agents`, headers, { name })
    await post(`${base}/v1/agents/${encodeURIComponent(name)}/subscriptions`, headers, {
      pattern: `bench.${run}.*`,
    })
    streams.push(
      openStream(`${base}/v1/agents/${encodeURIComponent(name)}/stream`, undefined, headers),
    )
  }
  const open = await Promise.all(streams)
  await Promise.all(open.map((s) => s.firstAt))
  const fan: number[] = []
  const WARMUP = 3
  for (let round = 0; round < opts.rounds + WARMUP; round++) {
    const marker = `tick-${round}-${crypto.randomUUID()}`
    const arrivals = open.map((s) => s.waitFor(marker))
    const t0 = performance.now()
    await post(`${base}/v1/agents/events`, headers, { from: tx, topic, data: { marker } })
    const times = (await Promise.all(arrivals)).map((at) => at - t0)
    if (round >= WARMUP) fan.push(...times)
  }
  for (const s of open) s.close()
  // Unregistered again: the tenant's agent limit would refuse the next run's subscribers.
  for (const name of [rx, tx, ...subscribers]) {
    const res = await fetch(`${base}/v1/agents/${encodeURIComponent(name)}`, {
      method: 'DELETE',
      headers,
    })
    if (!res.ok) throw new Error(`unregistering ${name}: ${res.status} ${await res.text()}`)
  }

  const bus = `bus (${opts.label})`
  const floor = `${bus}: heartbeat (one write, the floor)`
  return [
    latencyFigure(floor, beat),
    latencyFigure(`${bus}: direct message → live receiver`, direct, { vs: floor }),
    latencyFigure(`${bus}: event → ${opts.subscribers} subscribers (each)`, fan, { vs: floor }),
  ]
}
