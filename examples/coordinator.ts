/**
 * The Coordinator plans with an LLM and delegates to the Calculator (and to any MCP server's
 * tools in MCP_SERVER_URLS). Start the stack with a model, then ask it over A2A:
 *
 *   COORDINATOR_MODEL=openai/gpt-4.1 OPENAI_API_KEY=sk-... npm start
 *   npx tsx examples/coordinator.ts "What is 17 * 23, and is it prime?"
 *
 * Without a model the Coordinator answers with what to configure.
 */
import { type Message, SendMessageRequest, type Task } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'

const server = (process.env.CODETETHER_SERVER ?? 'http://127.0.0.1:8787').replace(/\/+$/, '')
const question = process.argv[2] ?? 'Ask the calculator for 17 * 23 and tell me the answer.'

const client = await new ClientFactory().createFromUrl(server)
const result = (await client.sendMessage(
  SendMessageRequest.fromJSON({
    message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text: question }] },
    metadata: { skill: 'coordinator' },
  }),
)) as Task | Message
const parts = 'status' in result ? (result.status?.message?.parts ?? []) : result.parts
const answer = parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('\n')
console.log('status' in result ? `${result.id}: ${answer}` : answer)
