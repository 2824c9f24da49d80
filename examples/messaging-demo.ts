/**
 * The original CodeTether's agent messaging demo on CodeTether's bus: a Coordinator hands out
 * work, the built-in Calculator and Analysis agents answer and announce
 * `calculation.complete` / `analysis.complete`, a Data Collector gathers those events, a
 * Notification agent counts what it was told, and the Memory agent keeps 'Important Data'
 * under `demo_key`, all through messages and events. Run against `npm start`:
 *
 *   npx tsx examples/messaging-demo.ts
 *
 * CODETETHER_SERVER (default http://127.0.0.1:8787) and CODETETHER_TOKEN (if auth is on).
 */
import { type BusMessage, busAgent, waitFor } from './bus-client'

const run = Math.random().toString(36).slice(2, 6)
const heading = (title: string) => console.log(`\n=== ${title} ===`)

// The Notification agent: counts and prints what the coordinator and the collector announce.
let notifications = 0
const notified = waitFor('notification', () => notifications >= 3)
const notifier = await busAgent(`notification:${run}`, async (m) => {
  if (m.kind === 'event') {
    notifications++
    const what = m.topic?.endsWith('.task.assigned')
      ? `Task assigned - ${m.body.task}`
      : `Data collected - ${m.body.count} total items`
    console.log(`NOTIFICATION: ${what}`)
    notified.poke()
  } else await notifier.send(m.from, `Sent ${notifications} notifications so far.`, m.id)
})
await notifier.subscribe(`agent.coordinator-${run}.task.assigned`)
await notifier.subscribe(`agent.collector-${run}.data.collected`)

// The Data Collector: keeps each result the Calculator and Analysis agents announce for this run.
const collected: { kind: string; from: string; data: BusMessage['body'] }[] = []
const collectedTwo = waitFor('collected data', () => collected.length >= 2)
const collector = await busAgent(`data-collector:${run}`, async (m) => {
  if (m.kind === 'event' && m.body.from === `coordinator:${run}`) {
    const kind = m.topic?.endsWith('.calculation.complete') ? 'calculation' : 'analysis'
    collected.push({ kind, from: m.from, data: m.body })
    console.log(`Data Collector received ${kind} result from ${m.from}: ${m.body.text}`)
    await collector.publish(`agent.collector-${run}.data.collected`, { count: collected.length })
    collectedTwo.poke()
  } else if (m.kind === 'direct') {
    const lines = collected.map((c) => `- ${c.kind} from ${c.from}`)
    await collector.send(
      m.from,
      [`Collected ${collected.length} data points:`, ...lines].join('\n'),
      m.id,
    )
  }
})
await collector.subscribe('agent.calculator.calculation.complete')
await collector.subscribe('agent.analysis.analysis.complete')

// The Coordinator: its inbox holds the answers; each question waits for its own.
const answers = new Map<string, string>()
const answered = new Map<string, () => void>()
const coordinator = await busAgent(`coordinator:${run}`, async (m) => {
  if (m.kind !== 'direct' || !m.reply_to) return
  answers.set(m.reply_to, String(m.body.text))
  answered.get(m.reply_to)?.()
})
async function ask(agent: string, text: string): Promise<string> {
  const id = await coordinator.send(agent, text)
  const reply = waitFor(`answer from ${agent}`, () => answers.has(id))
  answered.set(id, reply.poke)
  reply.poke()
  await reply.done
  return answers.get(id) ?? ''
}

heading('Demo 1: the Coordinator hands out work')
await coordinator.publish(`agent.coordinator-${run}.task.assigned`, {
  task: 'Coordinate task: Process data pipeline',
})
heading('Demo 2 and 3: Calculator and Analysis answer and announce their results')
console.log(`Calculator: ${await ask('calculator', 'add 10 and 5')}`)
console.log(`Analysis: ${(await ask('analysis', 'Analyze: Sample text analysis')).split('\n')[0]}`)
await collectedTwo.done
heading('Demo 4: what the Data Collector gathered')
console.log(await ask(collector.name, 'What have you collected?'))
heading('Demo 5: the Notification count')
await notified.done
console.log(await ask(notifier.name, 'How many notifications?'))
heading('Demo 6: the Memory agent, through messages')
console.log(`Memory: ${await ask('memory', 'remember Important Data as demo_key')}`)
console.log(`Memory: ${await ask('memory', 'recall demo_key')}`)

await Promise.all([coordinator.stop(), collector.stop(), notifier.stop()])
console.log('\ndemo complete')
