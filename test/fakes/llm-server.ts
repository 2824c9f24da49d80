/**
 * A fake LLM provider at the wire, for tests that run the worker's LLM tool loop against it:
 * OpenAI-compatible `POST /v1/chat/completions` (llm-openai.ts), Anthropic `POST /v1/messages`
 * (llm-anthropic.ts) and Gemini's `models/{m}:(stream)generateContent` (llm-google.ts), each
 * answered from a script and streamed in that provider's own SSE protocol (or as one JSON body
 * when the request does not ask for a stream), so the real AI SDK providers parse them; and
 * each provider's `GET …/models` list.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { anthropicMessage, streamAnthropic } from './llm-anthropic'
import { googleCall, googleResponse, streamGoogle } from './llm-google'
import { openAiCompletion, streamOpenAi } from './llm-openai'

export interface ScriptedTurn {
  text?: string
  toolCalls?: { name: string; args: Record<string, unknown> }[]
}

export type Provider = 'openai' | 'anthropic' | 'google'

export interface RecordedRequest {
  provider: string
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the SDK sent
  body: any
  headers: Record<string, string | string[] | undefined>
}

export interface FakeLlm {
  /** `http://127.0.0.1:PORT`; both providers' baseURL is `${url}/v1`. */
  url: string
  requests: RecordedRequest[]
  /** The `GET …/models` calls, by the protocol they were answered in. */
  listings: RecordedRequest[]
  close(): Promise<void>
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the SDK sent
type Script = (request: { provider: Provider; body: any; turn: number }) => ScriptedTurn

export interface Answer {
  id: string
  model: string
  turn: ScriptedTurn
  calls: { id: string; name: string; args: string }[]
  inputTokens: number
  outputTokens: number
}

/** What `GET …/models` lists, by default: two chat models and one that is not. */
const MODELS = ['fake-model', 'fake-large', 'text-embedding-fake']

export async function startFakeLlm(
  script: Script,
  opts: { models?: readonly string[] } = {},
): Promise<FakeLlm> {
  const requests: RecordedRequest[] = []
  const listings: RecordedRequest[] = []
  const turns: Record<Provider, number> = { openai: 0, anthropic: 0, google: 0 }
  const models = opts.models ?? MODELS

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } })
      else res.end()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    if (req.method === 'GET' && (path === '/v1/models' || path === '/v1beta/models')) {
      const lister =
        path === '/v1beta/models' ? 'google' : req.headers['x-api-key'] ? 'anthropic' : 'openai'
      listings.push({ provider: lister, body: null, headers: { ...req.headers } })
      sendJson(res, 200, modelList(lister, models))
      return
    }
    const google = req.method === 'POST' ? googleCall(path) : undefined
    const provider: Provider | undefined =
      req.method === 'POST' && path === '/v1/chat/completions'
        ? 'openai'
        : req.method === 'POST' && path === '/v1/messages'
          ? 'anthropic'
          : google
            ? 'google'
            : undefined
    if (!provider) {
      sendJson(res, 404, {
        error: { type: 'not_found_error', message: `no route ${req.method} ${path}` },
      })
      return
    }
    // biome-ignore lint/suspicious/noExplicitAny: parsed JSON
    let body: any
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      sendJson(res, 400, { error: { type: 'invalid_request_error', message: 'body is not JSON' } })
      return
    }
    requests.push({ provider, body, headers: { ...req.headers } })
    const turn = turns[provider]++
    const scripted = script({ provider, body, turn })
    const answer = toAnswer(provider, turn, body, scripted)
    const stream = body?.stream === true
    if (provider === 'google' && google) {
      const answered = { ...answer, model: google.model }
      if (google.stream) streamGoogle(res, answered)
      else sendJson(res, 200, googleResponse(answered))
    } else if (provider === 'openai') {
      if (stream) streamOpenAi(res, answer)
      else sendJson(res, 200, openAiCompletion(answer))
    } else if (stream) streamAnthropic(res, answer)
    else sendJson(res, 200, anthropicMessage(answer))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    listings,
    close: () =>
      new Promise<void>((resolve) => {
        // The SDK's fetch keeps connections alive; close() alone would wait on them.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** `GET /v1/models` (OpenAI's or, with x-api-key, Anthropic's shape) and Gemini's `/v1beta/models`. */
function modelList(provider: Provider, ids: readonly string[]) {
  if (provider === 'google')
    return {
      models: ids.map((id) => ({
        name: `models/${id}`,
        displayName: id,
        supportedGenerationMethods: id.includes('embed') ? ['embedContent'] : ['generateContent'],
      })),
    }
  if (provider === 'anthropic')
    return {
      data: ids.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2026-01-01T00:00:00Z',
      })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids.at(-1) ?? null,
    }
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  const text = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
function toAnswer(provider: Provider, turn: number, body: any, scripted: ScriptedTurn): Answer {
  const prefix = provider === 'openai' ? 'call' : 'toolu'
  const calls = (scripted.toolCalls ?? []).map((call, i) => ({
    id: `${prefix}_fake_${turn}_${i}`,
    name: call.name,
    args: JSON.stringify(call.args),
  }))
  const said = (scripted.text ?? '').length + calls.reduce((n, call) => n + call.args.length, 0)
  return {
    id: provider === 'openai' ? `chatcmpl-fake-${turn}` : `msg_fake_${turn}`,
    model: typeof body?.model === 'string' ? body.model : 'fake-model',
    turn: scripted,
    calls,
    // Rough but deterministic, so tests can assert usage is carried through.
    inputTokens: Math.max(1, Math.ceil(JSON.stringify(body?.messages ?? []).length / 4)),
    outputTokens: Math.max(1, Math.ceil(said / 4)),
  }
}
