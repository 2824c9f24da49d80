/**
 * A client on the v0.3 SDK (@a2a-js/sdk 0.3.14, the last of that line), as deployed clients
 * still are. It names no A2A-Version when it fetches the card, so it reads the v0.3 card where
 * README says: at /.well-known/agent.json (or at agent-card.json on a deployment with
 * AGENT_CARD_DEFAULT_VERSION=0.3, test/original-settings.test.ts).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { A2AClient, ClientFactory } from 'a2a-sdk-v03/client'
import { stack } from './helpers'

const message = (text: string) => ({
  kind: 'message' as const,
  messageId: crypto.randomUUID(),
  role: 'user' as const,
  parts: [{ kind: 'text' as const, text }],
})

describe('the v0.3 SDK', () => {
  test('A2AClient from /.well-known/agent.json: send, get, stream', async () => {
    const client = await A2AClient.fromCardUrl(`${stack().url}/.well-known/agent.json`)
    const sent = await client.sendMessage({ message: message('add 40 and 2') })
    assert.ok(!('error' in sent), JSON.stringify(sent))
    const task = sent.result
    assert.equal(task.kind, 'task')
    if (task.kind !== 'task') return
    assert.equal(task.status.state, 'completed')
    assert.match(JSON.stringify(task.status.message?.parts), /42/)
    const got = await client.getTask({ id: task.id })
    assert.ok(!('error' in got) && got.result.id === task.id)
    const kinds: string[] = []
    for await (const event of client.sendMessageStream({ message: message('square root of 81') }))
      kinds.push(event.kind)
    assert.deepEqual(kinds, ['task', 'status-update', 'artifact-update', 'status-update'])
  })

  test('its ClientFactory, given the v0.3 path, finds the JSON-RPC interface', async () => {
    const client = await new ClientFactory().createFromUrl(stack().url, '/.well-known/agent.json')
    const reply = await client.sendMessage({ message: message('multiply 6 by 7') })
    assert.equal(reply.kind, 'task')
    assert.match(JSON.stringify(reply), /42/)
  })
})
