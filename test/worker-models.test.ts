/**
 * Model discovery: a real worker reports every model it can use, from the keys in its
 * environment and in opencode's auth.json, each provider's own model list (fake providers at
 * the wire, in each one's protocol) or its catalogue when the list cannot be fetched; the
 * server shows them with the workers that serve each; keys never leave the machine. And the
 * Google provider in the LLM loop.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startFakeLlm } from './fakes/llm-server'
import { api } from './helpers'
import { uid } from './queue-helpers'
import {
  createWorkspaceTask,
  FAKE_BIN,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  until,
  type WorkerProcess,
  workspaceOf,
} from './worker-helpers'

const KEYS = {
  OPENAI_API_KEY: 'sk-openai-secret-1',
  ANTHROPIC_API_KEY: 'sk-ant-secret-2',
  GOOGLE_GENERATIVE_AI_API_KEY: 'g-secret-3',
  MISTRAL_API_KEY: 'm-secret-4',
}
const OPENCODE_KEY = 'gsk-opencode-secret-5'

interface Model {
  id: string
  source?: string
  provider?: string
  workers: { worker_id: string; name: string }[]
}

const name = `models-${uid()}`
let llm: Awaited<ReturnType<typeof startFakeLlm>>
let worker: WorkerProcess
let codebase: string

/** A port nothing listens on: a provider that is down. */
async function deadPort() {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as { port: number }
  await new Promise((r) => s.close(r))
  return port
}

before(async () => {
  llm = await startFakeLlm(({ provider, turn }) =>
    provider === 'google' && turn === 0
      ? { toolCalls: [{ name: 'read_file', args: { path: 'README.md' } }] }
      : { toolCalls: [{ name: 'finish', args: { summary: `${provider} read it` } }] },
  )
  const home = tempDir('models-home')
  mkdirSync(join(home, '.local/share/opencode'), { recursive: true })
  writeFileSync(
    join(home, '.local/share/opencode/auth.json'),
    JSON.stringify({
      groq: { type: 'api', key: OPENCODE_KEY },
      openrouter: { type: 'oauth', access: 'not-a-key', refresh: 'x', expires: 0 },
    }),
  )
  // Claude Code logged in by subscription (its credentials file; no Anthropic key needed).
  mkdirSync(join(home, '.claude'), { recursive: true })
  writeFileSync(join(home, '.claude/.credentials.json'), '{}')
  codebase = tempDir('models-cb')
  writeFileSync(join(codebase, 'README.md'), '# models\n')
  worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
    name,
    env: {
      HOME: home,
      PATH: `${FAKE_BIN}:${process.env.PATH}`,
      ...KEYS,
      OPENAI_BASE_URL: `${llm.url}/v1`,
      ANTHROPIC_BASE_URL: `${llm.url}/v1`,
      GOOGLE_BASE_URL: `${llm.url}/v1beta`,
      GROQ_BASE_URL: `${llm.url}/v1`,
      MISTRAL_BASE_URL: `http://127.0.0.1:${await deadPort()}/v1`,
    },
  })
})

after(async () => {
  await worker?.stop()
  await llm?.close()
})

const ours = async () => {
  const { models } = (await (await api('/v1/agent/models')).json()) as { models: Model[] }
  return models.filter((m) => m.workers.some((w) => w.name === name))
}

describe('model discovery', () => {
  test('every provider with a key offers its chat models, listed or from the catalogue', async () => {
    const models = await until('the worker’s models', async () => {
      const m = await ours()
      return m.some((x) => x.id.startsWith('google/')) && m
    })
    const by = new Map(models.map((m) => [m.id, m.source]))
    for (const id of [
      'openai/fake-model',
      'openai/fake-large',
      'anthropic/fake-model',
      'google/fake-model',
      'groq/fake-model',
    ])
      assert.equal(by.get(id), 'listed', `${id} in ${[...by.keys()].join(', ')}`)
    // Not chat models; a provider without a key; a login opencode holds by OAuth.
    for (const id of ['openai/text-embedding-fake', 'google/text-embedding-fake'])
      assert.equal(by.has(id), false, id)
    assert.ok(![...by.keys()].some((id) => /^(deepseek|openrouter)\//.test(id)))
    // Mistral is down: its catalogue stands in, marked so.
    assert.equal(by.get('mistral/mistral-large-latest'), 'catalogue')
    assert.match(worker.output(), /mistral: its model list could not be fetched/)
  })

  test('the coding CLIs it is logged in to offer their models; a task for one runs in that CLI', async () => {
    const by = new Map((await ours()).map((m) => [m.id, m.source]))
    for (const id of ['claude/sonnet', 'codex/gpt-5-codex', 'opencode/anthropic/claude-sonnet-4-5'])
      assert.equal(by.get(id), 'cli', `${id} in ${[...by.keys()].join(', ')}`)
    const task = await createWorkspaceTask(await workspaceOf(codebase), {
      prompt: 'explain the build',
      model_ref: 'claude/sonnet',
    })
    const done = await settled(task.id)
    assert.equal(done.status, 'completed', done.error ?? '')
    const first = JSON.parse((await outputsOf(task.id))[0] as string)
    assert.ok(first.argv.join(' ').includes('--model sonnet'), JSON.stringify(first.argv))
  })

  test('each key went only to its own provider, in its protocol, and to nothing else', async () => {
    const header = (p: string, h: string) =>
      llm.listings.filter((l) => l.provider === p).map((l) => l.headers[h])
    assert.ok(header('anthropic', 'x-api-key').includes(KEYS.ANTHROPIC_API_KEY))
    assert.ok(header('google', 'x-goog-api-key').includes(KEYS.GOOGLE_GENERATIVE_AI_API_KEY))
    const bearers = header('openai', 'authorization')
    assert.ok(bearers.includes(`Bearer ${KEYS.OPENAI_API_KEY}`))
    assert.ok(bearers.includes(`Bearer ${OPENCODE_KEY}`), 'opencode’s key listed groq')
    const workers = await (await api('/v1/agent/workers')).text()
    const models = await (await api('/v1/agent/models')).text()
    for (const key of [...Object.values(KEYS), OPENCODE_KEY]) {
      assert.ok(!workers.includes(key) && !models.includes(key), `${key} reached the server`)
      assert.ok(!worker.output().includes(key), `${key} in the worker's log`)
    }
  })

  test('a task for a Google model runs in the LLM loop through the Gemini API', async () => {
    const task = await createWorkspaceTask(await workspaceOf(codebase), {
      prompt: 'Read the README',
      model_ref: 'google/fake-model',
    })
    const done = await settled(task.id)
    assert.equal(done.status, 'completed', done.error ?? '')
    assert.equal(done.result, 'google read it')
    const asked = llm.requests.filter((r) => r.provider === 'google')
    assert.equal(asked.length, 2)
    assert.equal(asked[0]?.headers['x-goog-api-key'], KEYS.GOOGLE_GENERATIVE_AI_API_KEY)
    // The second turn carried the file the first asked for.
    assert.match(JSON.stringify(asked[1]?.body.contents), /# models/)
  })
})
