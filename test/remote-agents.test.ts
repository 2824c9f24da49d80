/**
 * Remote A2A agents: the @a2a-js/sdk sample server in its own process, registered by URL,
 * asked (blocking and streaming), messaged, and delegated to with its task mirrored; plus the
 * outbound-URL guard and size limit on cards.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { spawnSdkPeer } from '../bench/a2a-peer'
import { freePort } from '../scripts/stack/ports'
import { readSse } from './a2a-helpers'
import { api, stackVars, startTestWorker } from './helpers'
import { until } from './worker-helpers'

let peer: Awaited<ReturnType<typeof spawnSdkPeer>>
let peerUrl: string
const name = `peer-${Math.random().toString(36).slice(2, 8)}`

async function post<T = Record<string, unknown>>(path: string, json: unknown, status = 200) {
  const res = await api(path, { method: 'POST', json })
  const text = await res.text()
  assert.equal(res.status, status, text)
  return JSON.parse(text) as T
}

before(async () => {
  const port = await freePort()
  peerUrl = `http://127.0.0.1:${port}`
  peer = await spawnSdkPeer(port)
})
after(() => peer?.close())

describe('a remote A2A agent', () => {
  test('registered by URL, it is listed with its card', async () => {
    const { agent } = await post<{ agent: { name: string; kind: string; description: string } }>(
      '/v1/agents/remote',
      { url: peerUrl, name },
    )
    assert.deepEqual([agent.name, agent.kind, agent.description], [name, 'remote', 'SDK sample'])
    const listed = (await (await api('/agents')).json()) as { name: string }[]
    assert.ok(listed.some((a) => a.name === name))
  })

  test('asked, it answers; streamed, its events come through', async () => {
    const asked = await post<{ reply: { text: string } }>(`/v1/agents/${name}/ask`, {
      text: 'Calculate 25 * 4',
    })
    assert.match(asked.reply.text, /100/)
    const res = await api(`/v1/agents/${name}/ask`, {
      method: 'POST',
      json: { text: 'Calculate 6 * 7', stream: true },
    })
    const events = await readSse(res)
    const json = JSON.stringify(events)
    assert.match(json, /TASK_STATE_COMPLETED/)
    assert.match(json, /42/)
  })

  test("a message to it lands its answer in the sender's inbox", async () => {
    const me = `asker-${name}:1`
    await post('/v1/agents', { name: me })
    await post(`/v1/agents/${name}/messages`, { from: me, text: 'Calculate 9 * 9' })
    const inbox = (await (await api(`/v1/agents/${encodeURIComponent(me)}/inbox`)).json()) as {
      from: string
      body: { text: string }
    }[]
    assert.equal(inbox[0]?.from, name)
    assert.match(inbox[0]?.body.text ?? '', /81/)
  })

  test('delegated to, its task is mirrored into ours', async () => {
    const task = await post<{ id: string; status: string }>(`/v1/agents/${name}/tasks`, {
      text: 'Calculate 12 * 12',
    })
    const done = await until('the mirrored task completes', async () => {
      const t = (await (await api(`/v1/agent/tasks/${task.id}`)).json()) as {
        status: string
        result: string | null
        metadata: Record<string, unknown>
      }
      return t.status === 'completed' && t
    })
    assert.match(done.result ?? '', /144/)
    assert.ok(done.metadata.remote_task_id, 'the remote task id is kept')
  })
})

describe('the outbound guard', () => {
  test('outside dev mode, private and loopback targets are refused', async () => {
    const server = await startTestWorker('remote-guard', {
      ...stackVars(),
      AUTH_MODE: 'production',
      A2A_AUTH_TOKENS: 'ops:guard-token',
    })
    try {
      for (const url of [
        peerUrl,
        'http://localhost:8080',
        'http://10.1.2.3/',
        'http://169.254.169.254/latest',
        'http://[::1]:9/',
        'ftp://example.com/',
        'http://user:pw@example.com/',
      ]) {
        const res = await fetch(`${server.url}/v1/agents/remote`, {
          method: 'POST',
          headers: { Authorization: 'Bearer guard-token', 'Content-Type': 'application/json' },
          body: JSON.stringify({ url }),
        })
        assert.equal(res.status, 400, url)
      }
    } finally {
      await server.worker.stop()
    }
  })

  test('a card larger than the limit is refused, not read whole', async () => {
    const huge: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ name: 'huge', description: 'x'.repeat(1024 * 1024) }))
    })
    await new Promise<void>((r) => huge.listen(0, '127.0.0.1', r))
    try {
      const { port } = huge.address() as AddressInfo
      const res = await api('/v1/agents/remote', {
        method: 'POST',
        json: { url: `http://127.0.0.1:${port}` },
      })
      assert.equal(res.status, 422)
      assert.match(await res.text(), /too large/)
    } finally {
      huge.close()
    }
  })
})
