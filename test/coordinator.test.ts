/**
 * The LLM Coordinator with its model faked at the wire (OpenAI's protocol) and a real MCP
 * server: it calls the Calculator and an MCP tool, and answers with what they returned.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startFakeMcp } from '../examples/shop-mcp-server'
import { readSse, streamMessage } from './a2a-helpers'
import { type ScriptedTurn, startFakeLlm } from './fakes/llm-server'
import { api, stackVars, startTestWorker } from './helpers'

// biome-ignore lint/suspicious/noExplicitAny: the SDK's request body as sent
const toolResults = (body: any): string[] =>
  (body.messages ?? [])
    .filter((m: { role: string }) => m.role === 'tool')
    .map((m: { content: unknown }) => JSON.stringify(m.content))

test('without a model the coordinator says what to configure', async () => {
  const res = await api('/v1/agents/coordinator/ask', { method: 'POST', json: { text: 'plan it' } })
  const body = (await res.json()) as { reply: { text: string; body: { state: string } } }
  assert.equal(body.reply.body.state, 'failed')
  assert.match(body.reply.text, /COORDINATOR_MODEL/)
})

test('the coordinator plans with the LLM, calls an agent and an MCP tool, and answers', async () => {
  const steps: ScriptedTurn[] = [
    {
      toolCalls: [{ name: 'call_agent', args: { name: 'calculator', message: 'multiply 6 by 7' } }],
    },
    { toolCalls: [{ name: 'mcp_lookup_price', args: { item: 'apple' } }] },
    { text: 'The product is 42 and an apple costs 7 cents.' },
  ]
  const llm = await startFakeLlm(
    ({ body }) => steps[Math.min(toolResults(body).length, 2)] as ScriptedTurn,
  )
  const mcp = await startFakeMcp()
  const server = await startTestWorker('coordinator', {
    ...stackVars(),
    COORDINATOR_MODEL: 'openai/fake-model',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${llm.url}/v1`,
    MCP_SERVER_URLS: mcp.url,
  })
  try {
    const streamed = await streamMessage(server.url, 'Work out 6*7 and price an apple', {
      metadata: { skill: 'coordinator' },
      messageId: 'm0',
    })
    const events = JSON.stringify(await readSse(streamed))
    assert.match(
      events,
      /Asking calculator: multiply 6 by 7/,
      'progress reaches a streaming caller',
    )
    assert.match(events, /TASK_STATE_COMPLETED/)

    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: {
          message: {
            messageId: 'm1',
            role: 'ROLE_USER',
            parts: [{ text: 'Work out 6*7 and price an apple' }],
          },
          metadata: { skill: 'coordinator' },
        },
      }),
    })
    const rpc = (await res.json()) as {
      result: { task: { status: { state: string }; artifacts: unknown[] } }
    }
    const json = JSON.stringify(rpc)
    assert.equal(rpc.result.task.status.state, 'TASK_STATE_COMPLETED', json)
    assert.match(json, /The product is 42 and an apple costs 7 cents/)
    assert.deepEqual(mcp.calls, ['lookup_price', 'lookup_price'], 'once per run')
    const results = toolResults(llm.requests.at(-1)?.body)
    assert.match(results[0] ?? '', /42/, 'the Calculator answered the LLM')
    assert.match(results[1] ?? '', /7/, 'the MCP tool answered the LLM')
    const usage = (await (
      await fetch(`${server.url}/v1/token-billing/usage/recent?limit=20`)
    ).json()) as {
      provider: string
      model: string
      input_tokens: number
    }[]
    assert.ok(
      usage.some((u) => u.provider === 'openai' && u.model === 'fake-model' && u.input_tokens > 0),
      "the coordinator's tokens are in the ledger",
    )
    assert.ok(
      llm.requests[0]?.body.tools.some(
        (t: { function: { name: string } }) => t.function.name === 'list_agents',
      ),
    )
  } finally {
    await server.worker.stop()
    await mcp.close()
    await llm.close()
  }
})
