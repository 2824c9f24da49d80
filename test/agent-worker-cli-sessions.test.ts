/**
 * Codex's and opencode's sessions, as those CLIs leave them on the machine (their real file
 * layouts, written here before the worker starts): the worker syncs them with their messages
 * and usage, in a codebase and in its global codebase (the home directory), and a resume from
 * the server continues each in its own CLI (fakes that print the arguments they were given).
 */
import assert from 'node:assert/strict'
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { api, getJson } from './helpers'
import {
  FAKE_BIN,
  outputsOf,
  settled,
  startWorker,
  tempDir,
  until,
  workspaceOf,
} from './worker-helpers'

const CODEX_ID = '019a2d7a-41c4-78b1-b7cc-a45d62a89cd5'
const OPENCODE_ID = 'ses_4d585107dffeO9bO3HvMdvLYyC'

/** A Codex rollout of one exchange in `cwd`, with its context preamble and token count. */
function codexRollout(home: string, cwd: string) {
  const dir = join(home, '.codex/sessions/2026/12/06')
  mkdirSync(dir, { recursive: true })
  const at = (s: number) => `2026-12-06T10:00:0${s}.000Z`
  const line = (s: number, type: string, payload: unknown) =>
    JSON.stringify({ timestamp: at(s), type, payload })
  const message = (role: string, kind: string, text: string) => ({
    type: 'message',
    role,
    content: [{ type: kind, text }],
  })
  writeFileSync(
    join(dir, `rollout-2026-12-06T10-00-00-${CODEX_ID}.jsonl`),
    [
      line(0, 'session_meta', { id: CODEX_ID, timestamp: at(0), cwd, originator: 'codex_exec' }),
      line(
        0,
        'response_item',
        message('user', 'input_text', '<environment_context>x</environment_context>'),
      ),
      line(1, 'response_item', message('user', 'input_text', 'why does the build fail?')),
      line(1, 'turn_context', { cwd, model: 'gpt-5-codex' }),
      line(2, 'response_item', message('assistant', 'output_text', 'A missing dependency.')),
      line(2, 'event_msg', {
        type: 'token_count',
        info: {
          last_token_usage: { input_tokens: 900, cached_input_tokens: 400, output_tokens: 30 },
        },
      }),
    ].join('\n'),
  )
}

/** opencode's storage for one session in `directory`: session, two messages, their text parts. */
function opencodeSession(home: string, directory: string) {
  const storage = join(home, '.local/share/opencode/storage')
  const put = (path: string, value: unknown) => {
    mkdirSync(join(storage, path, '..'), { recursive: true })
    writeFileSync(join(storage, path), JSON.stringify(value))
  }
  put(`session/global/${OPENCODE_ID}.json`, {
    id: OPENCODE_ID,
    projectID: 'global',
    directory,
    title: 'Tidy the dotfiles',
    time: { created: 1796550000000, updated: 1796550060000 },
  })
  put(`message/${OPENCODE_ID}/msg_1.json`, {
    id: 'msg_1',
    sessionID: OPENCODE_ID,
    role: 'user',
    time: { created: 1796550000000 },
  })
  put(`part/msg_1/prt_1.json`, { id: 'prt_1', messageID: 'msg_1', type: 'text', text: 'tidy them' })
  put(`message/${OPENCODE_ID}/msg_2.json`, {
    id: 'msg_2',
    sessionID: OPENCODE_ID,
    role: 'assistant',
    time: { created: 1796550030000 },
    providerID: 'anthropic',
    modelID: 'claude-sonnet-4-5',
    tokens: { input: 50, output: 20, reasoning: 0, cache: { read: 0, write: 0 } },
  })
  put(`part/msg_2/prt_2.json`, { id: 'prt_2', messageID: 'msg_2', type: 'text', text: 'Done.' })
  put(`part/msg_2/prt_3.json`, { id: 'prt_3', messageID: 'msg_2', type: 'tool', tool: 'bash' })
}

test('codex and opencode sessions sync with their usage, in a codebase and in home; resume continues each', async () => {
  const home = realpathSync(tempDir('cli-sessions-home'))
  const codebase = realpathSync(tempDir('cli-sessions'))
  codexRollout(home, codebase)
  opencodeSession(home, home)
  const worker = startWorker(['--codebases', codebase, '--auto-approve', 'all'], {
    env: { HOME: home, PATH: `${FAKE_BIN}:${process.env.PATH}`, OPENAI_API_KEY: 'sk-test' },
  })
  try {
    const workspace = await workspaceOf(codebase)
    const codexBase = `/v1/agent/codebases/${workspace}/sessions`
    const codex = await until('the codex session synced', async () => {
      const page = await getJson(codexBase)
      return page.sessions.find((s: { id: string }) => s.id === CODEX_ID)
    })
    assert.deepEqual([codex.agent, codex.title], ['codex', 'why does the build fail?'])
    // Sessions sync first, then their messages.
    const messagesOf = (base: string, id: string) =>
      until(`the messages of ${id}`, async () => {
        const { messages } = await getJson(`${base}/${id}/messages`)
        return messages.length >= 2 && messages
      })
    const codexMessages = await messagesOf(codexBase, CODEX_ID)
    assert.deepEqual(
      codexMessages.map((m: { role: string; content: string }) => `${m.role}: ${m.content}`),
      ['user: why does the build fail?', 'assistant: A missing dependency.'],
    )
    assert.equal(codexMessages[1].model, 'gpt-5-codex')
    assert.deepEqual(
      [codexMessages[1].tokens.input, codexMessages[1].tokens.cache_read],
      [500, 400],
    )

    // The session opencode had in the home directory: under the worker's global codebase.
    const globalRow = await until('the global codebase', async () => {
      const rows = await getJson(`/v1/agent/codebases?path=${encodeURIComponent(home)}`)
      return rows.find((r: { global: boolean }) => r.global)
    })
    const homeBase = `/v1/agent/codebases/${globalRow.id}/sessions`
    const opencode = await until('the opencode session synced', async () => {
      const page = await getJson(homeBase)
      return page.sessions.find((s: { id: string }) => s.id === OPENCODE_ID)
    })
    assert.deepEqual([opencode.agent, opencode.title], ['opencode', 'Tidy the dotfiles'])
    const ocMessages = await messagesOf(homeBase, OPENCODE_ID)
    assert.deepEqual(
      ocMessages.map((m: { role: string; content: string }) => `${m.role}: ${m.content}`),
      ['user: tidy them', 'assistant: Done.'],
    )
    assert.equal(ocMessages[1].model, 'claude-sonnet-4-5')

    // Resumed from the server, each continues in its own CLI, with its own session.
    for (const [base, id, flag] of [
      [codexBase, CODEX_ID, 'resume'],
      [homeBase, OPENCODE_ID, `--session=${OPENCODE_ID}`],
    ] as const) {
      const r = await (
        await api(`${base}/${id}/resume`, { method: 'POST', json: { prompt: 'go on' } })
      ).json()
      const done = await settled(r.task_id)
      assert.equal(done.status, 'completed', done.error ?? '')
      const first = JSON.parse((await outputsOf(r.task_id))[0] as string)
      assert.ok(first.argv.includes(flag), JSON.stringify(first.argv))
      if (flag === 'resume') assert.ok(first.argv.includes(CODEX_ID))
    }
  } finally {
    assert.equal(await worker.stop(), 0, worker.output())
  }
})
