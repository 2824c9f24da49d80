/** The agent worker's LLM tool loop, against a provider faked at the wire. */
import assert from 'node:assert/strict'
import { existsSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { readSse } from './a2a-helpers'
import { type ScriptedTurn, startFakeLlm } from './fakes/llm-server'
import { api } from './helpers'
import {
  createWorkspaceTask,
  outputsOf,
  readFile,
  settled,
  startWorker,
  tempDir,
  type WorkerProcess,
  workspaceOf,
} from './worker-helpers'

type Step = (body: { messages?: unknown[] }) => ScriptedTurn

/** Tool results so far: OpenAI's `tool` messages, Anthropic's `tool_result` blocks. */
const toolResults = (messages: { role: string; content?: unknown }[]) =>
  messages.filter(
    (m) =>
      m.role === 'tool' ||
      (Array.isArray(m.content) &&
        m.content.some((c: { type?: string }) => c.type === 'tool_result')),
  ).length

/** A fake LLM that plays `steps` in order within each conversation (by its tool results). */
async function scriptedLlm(steps: Step[]) {
  return startFakeLlm(({ body }) => {
    const done = toolResults(body.messages ?? [])
    const step = steps[Math.min(done, steps.length - 1)] as Step
    return step(body)
  })
}

const finish = (summary: string): ScriptedTurn => ({
  toolCalls: [{ name: 'finish', args: { summary } }],
})

async function withWorker(
  approve: 'all' | 'safe' | 'none',
  steps: Step[],
  run: (ctx: { codebase: string; workspace: string; worker: WorkerProcess }) => Promise<void>,
  model = 'openai/fake-model',
) {
  const llm = await scriptedLlm(steps)
  const codebase = tempDir('codebase')
  writeFileSync(join(codebase, 'README.md'), '# demo\nhello world\n')
  const worker = startWorker(
    ['--codebases', codebase, '--auto-approve', approve, '--model', model],
    {
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${llm.url}/v1`,
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: `${llm.url}/v1`,
      },
    },
  )
  try {
    const workspace = await workspaceOf(codebase)
    await run({ codebase, workspace, worker })
  } finally {
    assert.equal(await worker.stop(), 0, worker.output())
    await llm.close()
  }
  return llm
}

describe('the LLM tool loop', () => {
  test('a task edits a file in its codebase; its output streams to an SSE subscriber', async () => {
    const llm = await withWorker(
      'all',
      [
        () => ({
          text: 'Reading first.',
          toolCalls: [{ name: 'read_file', args: { path: 'README.md' } }],
        }),
        () => ({
          toolCalls: [
            {
              name: 'edit_file',
              args: { path: 'README.md', old_text: 'hello world', new_text: 'hello CodeTether' },
            },
          ],
        }),
        () => finish('Greeted CodeTether in README.md'),
      ],
      async ({ codebase, workspace }) => {
        const task = await createWorkspaceTask(workspace, { prompt: 'Change the greeting' })
        const res = await api(`/v1/agent/tasks/${task.id}/output/stream`)
        const events = await readSse(res, (e) => e.event === 'done')
        const done = await settled(task.id)
        assert.equal(done.status, 'completed', JSON.stringify(done))
        assert.equal(done.result, 'Greeted CodeTether in README.md')
        assert.equal(readFile(join(codebase, 'README.md')), '# demo\nhello CodeTether\n')
        const lines = events
          .filter((e) => e.event === 'output')
          .map((e) => (e.data as { output: string }).output)
        assert.deepEqual(lines, await outputsOf(task.id), 'the stream carried every stored line')
        const parsed = lines.map((l: string) => JSON.parse(l))
        assert.deepEqual(parsed[0], { type: 'text', text: 'Reading first.' })
        assert.deepEqual(
          parsed
            .filter((p: { type: string }) => p.type === 'tool_use')
            .map((p: { tool: string }) => p.tool),
          ['read_file', 'edit_file', 'finish'],
        )
      },
    )
    const first = llm.requests[0]?.body
    assert.equal(first.model, 'fake-model')
    assert.ok(
      first.tools.some((t: { function: { name: string } }) => t.function.name === 'run_command'),
    )
  })

  test('paths outside the codebase are refused, through .. and through a symlink', async () => {
    const outside = tempDir('outside')
    writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET')
    let seen: unknown[] = []
    await withWorker(
      'all',
      [
        () => ({
          toolCalls: [
            { name: 'read_file', args: { path: `../${outside.split('/').pop()}/secret.txt` } },
          ],
        }),
        () => ({ toolCalls: [{ name: 'read_file', args: { path: 'link/secret.txt' } }] }),
        () => ({
          toolCalls: [{ name: 'write_file', args: { path: '/tmp/escaped.txt', content: 'x' } }],
        }),
        (body) => {
          seen = body.messages ?? []
          return finish('tried')
        },
      ],
      async ({ codebase, workspace }) => {
        symlinkSync(outside, join(codebase, 'link'))
        const task = await createWorkspaceTask(workspace, { prompt: 'Read the secret' })
        assert.equal((await settled(task.id)).status, 'completed')
      },
    )
    const results = JSON.stringify(seen.filter((m) => (m as { role: string }).role === 'tool'))
    assert.ok(!results.includes('TOP SECRET'), 'the model never saw the file')
    assert.match(results, /outside the codebase/)
    assert.match(results, /through a symlink/)
    assert.ok(!existsSync('/tmp/escaped.txt'))
  })

  test('auto-approve safe refuses a write and a command; reads still work', async () => {
    let toolResults = ''
    await withWorker(
      'safe',
      [
        () => ({ toolCalls: [{ name: 'write_file', args: { path: 'new.txt', content: 'x' } }] }),
        () => ({ toolCalls: [{ name: 'run_command', args: { command: 'touch ran.txt' } }] }),
        () => ({ toolCalls: [{ name: 'list_files', args: { path: '.' } }] }),
        (body) => {
          toolResults = JSON.stringify(body.messages)
          return finish('could not write')
        },
      ],
      async ({ codebase, workspace }) => {
        const task = await createWorkspaceTask(workspace, { prompt: 'Write a file' })
        assert.equal((await settled(task.id)).status, 'completed')
        assert.ok(!existsSync(join(codebase, 'new.txt')))
        assert.ok(!existsSync(join(codebase, 'ran.txt')))
      },
    )
    assert.match(toolResults, /auto-approve safe/)
    assert.match(toolResults, /README\.md/)
  })

  test('auto-approve none asks a person; approved, the task runs again with the action allowed', async () => {
    await withWorker(
      'none',
      [
        () => ({ toolCalls: [{ name: 'run_command', args: { command: 'touch ran.txt' } }] }),
        () => finish('ran it'),
      ],
      async ({ codebase, workspace }) => {
        const task = await createWorkspaceTask(workspace, { prompt: 'Run something' })
        const waiting = await settled(task.id)
        assert.equal(waiting.status, 'needs_input', JSON.stringify(waiting))
        assert.equal(waiting.worker_id, null, 'the worker let go while a person decides')
        const pending = waiting.metadata.pending_action as { tool: string; input: unknown }
        assert.equal(pending.tool, 'run_command')
        assert.deepEqual(pending.input, { command: 'touch ran.txt' })
        assert.ok(!existsSync(join(codebase, 'ran.txt')))

        const approve = (t: string, json: unknown) =>
          api(`/v1/agent/tasks/${t}/approve`, { method: 'POST', json })
        assert.equal((await approve(task.id, { approve: 'yes' })).status, 400)
        assert.equal((await approve(task.id, { approve: true })).status, 200)
        const done = await settled(task.id)
        assert.equal(done.status, 'completed', JSON.stringify(done))
        assert.equal(done.result, 'ran it')
        assert.ok(existsSync(join(codebase, 'ran.txt')))
        assert.equal((await approve(task.id, {})).status, 409, 'nothing left to approve')

        const denied = await createWorkspaceTask(workspace, { prompt: 'Run it again' })
        await settled(denied.id)
        assert.equal((await approve(denied.id, { approve: false, note: 'not today' })).status, 200)
        const after = await settled(denied.id)
        assert.equal(after.status, 'failed')
        assert.match(after.error ?? '', /denied by .*: not today/)
      },
    )
  })

  test('Anthropic models work the same; resume_session_id continues the conversation', async () => {
    const llm = await withWorker(
      'all',
      [
        () => ({
          toolCalls: [{ name: 'write_file', args: { path: 'notes.txt', content: 'one' } }],
        }),
        () => finish('wrote notes.txt'),
      ],
      async ({ codebase, workspace }) => {
        const first = await createWorkspaceTask(workspace, { prompt: 'Take a note' })
        assert.equal((await settled(first.id)).result, 'wrote notes.txt')
        assert.equal(readFile(join(codebase, 'notes.txt')), 'one')
        const next = await createWorkspaceTask(workspace, {
          prompt: 'And another',
          metadata: { resume_session_id: `llm-${first.id}` },
        })
        assert.equal((await settled(next.id)).status, 'completed')
      },
      'anthropic/claude-fake',
    )
    assert.ok(llm.requests.every((r) => r.provider === 'anthropic'))
    assert.equal(llm.requests[0]?.headers['x-api-key'], 'sk-ant-test')
    const resumed = llm.requests.at(-1)?.body.messages as { role: string; content: unknown }[]
    const said = JSON.stringify(resumed)
    assert.ok(said.includes('Take a note') && said.includes('And another'), said.slice(0, 500))
  })
})
