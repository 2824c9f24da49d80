/**
 * CodeTether calling an A2A agent that runs elsewhere: here the @a2a-js/sdk sample server
 * (Express, in-memory tasks, a calculator), started by this script on a free port. Run
 * against `npm start` (dev mode lets CodeTether call loopback addresses):
 *
 *   npx tsx examples/remote-agent.ts
 */
import { createServer } from 'node:net'
import { startSdkPeer } from '../bench/a2a-peer'
import { call } from './bus-client'

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resolve(port))
  })
})
const peer = await startSdkPeer(port)
try {
  const name = `sdk-sample-${port}`
  const { agent } = await call<{ agent: { name: string; description: string } }>(
    'POST',
    '/v1/agents/remote',
    {
      url: `http://127.0.0.1:${port}`,
      name,
    },
  )
  console.log(`registered ${agent.name}: ${agent.description}`)

  const asked = await call<{ reply: { text: string } }>('POST', `/v1/agents/${name}/ask`, {
    text: 'Calculate 25 * 4',
  })
  console.log(`asked: ${asked.reply.text}`)

  const task = await call<{ id: string }>('POST', `/v1/agents/${name}/tasks`, {
    text: 'Calculate 12 * 12',
  })
  for (let i = 0; i < 50; i++) {
    const t = await call<{ status: string; result: string | null }>(
      'GET',
      `/v1/agent/tasks/${task.id}`,
    )
    if (t.status === 'completed' || t.status === 'failed') {
      console.log(`delegated task ${task.id}: ${t.status}, ${t.result}`)
      break
    }
    await new Promise((r) => setTimeout(r, 100))
  }
} finally {
  await peer.close()
}
