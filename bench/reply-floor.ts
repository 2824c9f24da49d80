/**
 * What the agent card's reply costs workerd before any code of ours runs: a bare Worker
 * answering with the card's exact bytes and headers (as ours sends them: security headers,
 * CORS, ETag, request id), and the same bytes with a Content-Type alone. Measured in turns
 * with our card and the persisted peer's, one client: what is left between ours and the
 * replay is what our router and middleware add.
 */
import { type Figure, httpGet, measureInTurns } from './lib'
import { serveScript } from './miniflare'

interface ReplyBench {
  /** The Worker's URL without the dev proxy. */
  direct: string
  /** The persisted a2a-js peer's base URL. */
  peer: string
  opts: { n: number; warmup: number }
  cleanups: (() => unknown)[]
}

const CARD = '/.well-known/agent-card.json'
const OURS = 'worker direct: agent card'

/** Replays a reply made once: its headers parsed once per isolate, not per request. */
const WORKER = `let headers
export default {
  fetch(req, env) {
    headers ??= JSON.parse(env.HEADERS)
    const bare = new URL(req.url).pathname === '/bare'
    return new Response(env.BODY, { headers: bare ? { 'content-type': 'application/json' } : headers })
  },
}`

export async function replyFloorFigures(b: ReplyBench): Promise<Figure[]> {
  const ours = await fetch(`${b.direct}${CARD}`)
  if (!ours.ok) throw new Error(`agent card: ${ours.status}`)
  const body = await ours.text()
  // Every header as ours sent it (its request id replayed as one fixed value); the runtime
  // sets Content-Length and Date itself.
  const headers = [...ours.headers].filter(([name]) => !['content-length', 'date'].includes(name))
  const replay = await serveScript(
    WORKER,
    { BODY: body, HEADERS: JSON.stringify(headers) },
    b.cleanups,
  )
  return measureInTurns(
    [
      { name: OURS, op: httpGet(`${b.direct}${CARD}`) },
      {
        name: `floor: worker replaying the card's reply (${headers.length} headers)`,
        op: httpGet(`${replay}/`),
        vs: OURS,
      },
      { name: "floor: worker, the card's bytes alone", op: httpGet(`${replay}/bare`), vs: OURS },
      { name: 'sdk + Postgres store: agent card', op: httpGet(`${b.peer}${CARD}`), vs: OURS },
    ],
    { ...b.opts, concurrency: 1, turns: 5 },
  )
}
