/**
 * `npm run profile -- queue|send|stream|get|list|cancel|health|card [--clients=N]`: a CPU
 * profile of the Worker (the deploy bundle in Miniflare, through its V8 inspector) while it
 * serves one workload with 16 clients (or N); prints
 * the functions with the most self time, by module. Run with `node --experimental-websocket`
 * (the npm script does).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTempStack } from '../scripts/stack/index'
import { freePort } from '../scripts/stack/ports'
import { ROOT, readEnvFile } from '../scripts/stack/wrangler'
import { firstEvent } from './a2a'
import { httpGet, httpPost, measure, sendMessageBody } from './lib'
import { startMiniflare } from './miniflare'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
}

async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    webSocketDebuggerUrl: string
    title: string
  }[]
  const target = targets.find((t) => !t.title.includes('internal')) ?? targets[0]
  if (!target) throw new Error('no inspector target')
  const ws = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  let next = 1
  const waiting = new Map<number, (v: unknown) => void>()
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown }
    if (msg.id) waiting.get(msg.id)?.(msg.result)
  }
  return {
    send: (method: string, params: unknown = {}) =>
      new Promise<unknown>((resolve) => {
        const id = next++
        waiting.set(id, resolve)
        ws.send(JSON.stringify({ id, method, params }))
      }),
    close: () => ws.close(),
  }
}

async function main() {
  const workload = process.argv[2] ?? 'queue'
  // `--clients=1`: where one request's own time goes, with nothing queued behind it.
  const concurrency = Number(/^--clients=(\d+)$/.exec(process.argv[3] ?? '')?.[1] ?? 16)
  const { stack, dir, dispose } = await startTempStack('profile', () => {})
  try {
    const inspectorPort = await freePort()
    const { mf, base } = await startMiniflare(
      dir,
      readEnvFile(join(dir, 'worker.env')),
      inspectorPort,
    )
    const auth = { Authorization: `Bearer ${stack.info.devToken}` }
    const op = await workloadOf(workload, base, auth)
    await measure('warm-up', op, { n: 200, warmup: 20, concurrency: 16 })
    const cdp = await inspector(inspectorPort)
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cdp.send('Profiler.start')
    const figure = await measure(workload, op, { n: 1000, warmup: 0, concurrency })
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[] } }
    cdp.close()
    // The whole profile, for Chrome DevTools' Performance panel or a script.
    const file = join(ROOT, `bench/results/profile-${workload}.cpuprofile`)
    writeFileSync(file, JSON.stringify(profile))
    console.log(`profile written to ${file}`)
    console.log(`${workload}: p50 ${figure.p50.toFixed(2)} ms, ${figure.rps?.toFixed(0)} req/s`)
    report(profile.nodes)
    await mf.dispose()
  } finally {
    await dispose()
  }
}

async function workloadOf(name: string, base: string, auth: Record<string, string>) {
  if (name === 'health') return httpGet(`${base}/health`, auth)
  if (name === 'card') return httpGet(`${base}/.well-known/agent-card.json`)
  const v1 = { ...auth, 'A2A-Version': '1.0' }
  if (name === 'send') return httpPost(`${base}/`, sendMessageBody('2 * 3'), v1)
  if (name === 'get') {
    const sent = await fetch(`${base}/`, {
      method: 'POST',
      headers: { ...v1, 'content-type': 'application/json' },
      body: sendMessageBody('2 * 3')(),
    })
    const { id } = ((await sent.json()) as { result: { task: { id: string } } }).result.task
    const get = () => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id } })
    return httpPost(`${base}/`, get, v1)
  }
  if (name === 'stream') return firstEvent({ name, url: `${base}/`, headers: auth })
  if (name === 'cancel') {
    // Tasks waiting for their next message, one canceled per request (warm-up and run).
    const ids: string[] = []
    for (let i = 0; i < 1200; i++) {
      const sent = await fetch(`${base}/`, {
        method: 'POST',
        headers: { ...v1, 'content-type': 'application/json' },
        body: sendMessageBody('wait for me')(),
      })
      ids.push(((await sent.json()) as { result: { task: { id: string } } }).result.task.id)
    }
    let next = 0
    const cancel = () =>
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'CancelTask', params: { id: ids[next++] } })
    return httpPost(`${base}/`, cancel, v1)
  }
  if (name === 'list') {
    const list = () =>
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: { pageSize: 10 } })
    for (let i = 0; i < 10; i++) await httpPost(`${base}/`, sendMessageBody('2 * 3'), v1)()
    return httpPost(`${base}/`, list, v1)
  }
  const json = { ...auth, 'content-type': 'application/json' }
  const worker = `prof-${crypto.randomUUID().slice(0, 8)}`
  await fetch(`${base}/v1/agent/workers/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ worker_id: worker, name: worker }),
  })
  const headers = { ...json, 'X-Worker-ID': worker }
  return async () => {
    const created = await fetch(`${base}/v1/agent/tasks`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ prompt: 'p', target_worker_id: worker }),
    })
    const { id } = (await created.json()) as { id: string }
    for (const [path, body] of [
      ['claim', { task_id: id }],
      ['release', { task_id: id, status: 'completed' }],
    ] as const) {
      const res = await fetch(`${base}/v1/worker/tasks/${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      })
      if (res.status !== 200) throw new Error(`${path} ${res.status}: ${await res.text()}`)
    }
  }
}

function report(nodes: ProfileNode[]) {
  const total = nodes.reduce((n, x) => n + x.hitCount, 0)
  const byFn = new Map<string, number>()
  const byModule = new Map<string, number>()
  for (const n of nodes) {
    const { functionName, url, lineNumber } = n.callFrame
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}`
    byFn.set(fn, (byFn.get(fn) ?? 0) + n.hitCount)
    const mod = url ? url.split('/').slice(-1)[0] : functionName
    byModule.set(mod ?? '?', (byModule.get(mod ?? '?') ?? 0) + n.hitCount)
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n')
  console.log(`\nself time by function (${total} samples)\n${top(byFn, 45)}`)
  console.log(`\nby script\n${top(byModule, 10)}`)
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message)
    process.exit(1)
  },
)
