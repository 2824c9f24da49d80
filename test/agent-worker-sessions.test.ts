/**
 * Sessions through real processes: a worker runs Claude Code (fake, writing its real session
 * files) and its own LLM loop (against a fake provider); both conversations reach the server
 * with their token usage; a resume goes back to the owning worker and continues the session.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startFakeLlm } from './fakes/llm-server'
import { api, getJson } from './helpers'
import {
  createWorkspaceTask,
  FAKE_BIN,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  until,
  workspaceOf,
} from './worker-helpers'

test('claude and LLM-loop sessions sync with their usage; resume continues on the owning worker', async () => {
  const llm = await startFakeLlm(() => ({ text: 'The README greets the world.' }))
  const codebase = tempDir('sessions')
  const worker = startWorker(
    ['--codebases', codebase, '--auto-approve', 'all', '--model', 'openai/gpt-4.1-mini'],
    {
      env: {
        PATH: `${FAKE_BIN}:${process.env.PATH}`,
        ANTHROPIC_API_KEY: 'sk-ant',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${llm.url}/v1`,
      },
    },
  )
  try {
    const workspace = await workspaceOf(codebase)
    const viaClaude = await createWorkspaceTask(workspace, {
      prompt: 'explain the build',
      metadata: { executor: 'claude' },
    })
    assert.equal((await settled(viaClaude.id)).status, 'completed')
    const viaLoop = await createWorkspaceTask(workspace, {
      prompt: 'summarise the README',
      metadata: { executor: 'llm' },
    })
    assert.equal((await settled(viaLoop.id)).status, 'completed')

    const base = `/v1/agent/codebases/${workspace}/sessions`
    const listed = await until('both sessions are synced', async () => {
      const page = await getJson(base)
      return page.total >= 2 && page
    })
    const claude = listed.sessions.find((s: { agent: string }) => s.agent === 'claude')
    const loop = listed.sessions.find((s: { agent: string }) => s.agent === 'llm')
    assert.equal(claude.title, 'explain the build')
    assert.equal(loop.id, `llm-${viaLoop.id}`)
    const searched = await getJson(`${base}?q=build`)
    assert.deepEqual(
      searched.sessions.map((s: { id: string }) => s.id),
      [claude.id],
    )

    const claudeMessages = await getJson(`${base}/${claude.id}/messages`)
    assert.ok(
      claudeMessages.messages.some(
        (m: { content: string }) => m.content === 'echo: explain the build',
      ),
    )
    const loopMessages = await getJson(`${base}/${loop.id}/messages`)
    assert.deepEqual(
      loopMessages.messages.map(
        (m: { role: string; content: string }) => `${m.role}: ${m.content}`,
      ),
      ['user: summarise the README', 'assistant: The README greets the world.'],
    )

    const usage = await until('usage is in the ledger', async () => {
      const recent = (await getJson('/v1/token-billing/usage/recent?limit=200')) as {
        session_id: string
        model: string
        input_tokens: number
        cost_micros: number
      }[]
      const mine = recent.filter((u) => u.session_id === claude.id || u.session_id === loop.id)
      return mine.length >= 3 && mine
    })
    const sonnet = usage.filter((u) => u.session_id === claude.id)
    assert.ok(sonnet.every((u) => u.model.startsWith('claude-sonnet-4') && u.input_tokens === 12))
    const mini = usage.find((u) => u.session_id === loop.id)
    assert.equal(mini?.model, 'gpt-4.1-mini')
    assert.ok((mini?.input_tokens ?? 0) > 0)

    const resumed = await api(`${base}/${claude.id}/resume`, {
      method: 'POST',
      json: { prompt: 'now fix it' },
    })
    const r = (await resumed.json()) as { task_id: string; routing: { target_worker_id: string } }
    const done = await settled(r.task_id)
    assert.equal(done.status, 'completed')
    assert.equal(done.worker_id, r.routing.target_worker_id, 'the owning worker ran it')
    const init = JSON.parse((await outputsOf(r.task_id))[0] as string)
    assert.ok(init.argv.includes(`--resume=${claude.id}`), JSON.stringify(init.argv))
    await until('the continued conversation is synced', async () => {
      const after = await getJson(`${base}/${claude.id}/messages`)
      return after.messages.some((m: { content: string }) => m.content === 'echo: now fix it')
    })
    const loopResume = (await (
      await api(`${base}/${loop.id}/resume`, {
        method: 'POST',
        json: { prompt: 'and the license?' },
      })
    ).json()) as { task_id: string }
    assert.equal((await settled(loopResume.task_id)).status, 'completed')
    const sent = JSON.stringify(llm.requests.at(-1)?.body.messages)
    assert.ok(sent.includes('summarise the README') && sent.includes('and the license?'), sent)

    const again = await getJson('/v1/token-billing/usage/recent?limit=500')
    const ids = again.map((u: { message_id: string }) => u.message_id)
    assert.equal(new Set(ids).size, ids.length, 'every message is billed once')
  } finally {
    assert.equal(await worker.stop(), 0, worker.output())
    await llm.close()
  }
})
