/**
 * Two agents find each other, talk, and react to each other's events, through CodeTether's
 * agent bus (the seed's messaging demo). Run against `npm start`:
 *
 *   npx tsx examples/agent-messaging.ts
 *
 * CODETETHER_SERVER (default http://127.0.0.1:8787) and CODETETHER_TOKEN (if auth is on).
 */
import { busAgent as agent, call } from './bus-client'

const run = Math.random().toString(36).slice(2, 6)
let finish: () => void = () => {}
const finished = new Promise<void>((resolve, reject) => {
  finish = resolve
  setTimeout(() => reject(new Error('no event within 15 s')), 15_000).unref()
})

const reviewer = await agent(`reviewer:${run}`, async (m) => {
  if (m.kind === 'direct') {
    console.log(`reviewer <- ${m.from}: ${m.body.text}`)
    await reviewer.send(
      m.from,
      `Looks good. And 6 * 7 is worth checking with the calculator.`,
      m.id,
    )
  } else {
    console.log(`reviewer saw event ${m.topic}: ${JSON.stringify(m.body)}`)
    finish()
  }
})
await reviewer.subscribe(`agent.coder-${run}.*`)

const coder = await agent(`coder:${run}`, async (m) => {
  console.log(`coder <- ${m.from}: ${m.body.text}`)
  if (m.from.startsWith('reviewer')) await coder.send('calculator', 'multiply 6 by 7')
  if (m.from === 'calculator')
    await coder.publish(`agent.coder-${run}.completed`, { result: m.body.text })
})

const found = await call<{ name: string; role: string }[]>('GET', `/v1/agents?role=reviewer`)
const peer = found.find((a) => a.name === `reviewer:${run}`)
if (!peer) throw new Error('the reviewer was not discovered')
console.log(`coder discovered ${peer.name} by role ${peer.role}`)
await coder.send(peer.name, 'Please review my change.')

await finished
await coder.stop()
await reviewer.stop()
console.log('demo complete')
