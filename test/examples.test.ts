/** The examples in examples/ run against a live server, as the README says they do. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { stack } from './helpers'

const run = (file: string, args: string[] = []) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join('examples', file), ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, CODETETHER_SERVER: stack().url, CODETETHER_TOKEN: stack().devToken },
    timeout: 30_000,
  })

test('agent-messaging: discovery, a conversation, the Calculator, an event reacted to', async () => {
  const { stdout } = await run('agent-messaging.ts')
  assert.match(stdout, /coder discovered reviewer:\w+ by role reviewer/)
  assert.match(stdout, /reviewer <- coder:\w+: Please review my change\./)
  assert.match(stdout, /coder <- calculator: .*42/)
  assert.match(stdout, /reviewer saw event agent\.coder-\w+\.completed/)
  assert.match(stdout, /demo complete/)
})

test("messaging-demo: the original's demo, its collector, notifications, events and memory", async () => {
  const { stdout } = await run('messaging-demo.ts')
  assert.match(stdout, /NOTIFICATION: Task assigned - Coordinate task: Process data pipeline/)
  assert.match(stdout, /Calculator: .*15/)
  assert.match(stdout, /Data Collector received calculation result from calculator: .*15/)
  assert.match(stdout, /Data Collector received analysis result from analysis/)
  assert.match(stdout, /NOTIFICATION: Data collected - 2 total items/)
  assert.match(
    stdout,
    /Collected 2 data points:\n- calculation from calculator\n- analysis from analysis/,
  )
  assert.match(stdout, /Sent 3 notifications so far\./)
  assert.match(stdout, /Memory: demo_key: Important Data/)
  assert.match(stdout, /demo complete/)
})

test('remote-agent: the SDK sample server registered, asked and delegated to', async () => {
  const { stdout } = await run('remote-agent.ts')
  assert.match(stdout, /registered sdk-sample-\d+: SDK sample/)
  assert.match(stdout, /asked: .*100/)
  assert.match(stdout, /delegated task \S+: completed, .*144/)
})

test('coordinator: without a model it says what to configure', async () => {
  const { stdout } = await run('coordinator.ts', ['What is 2 + 2?'])
  assert.match(stdout, /COORDINATOR_MODEL/)
})
