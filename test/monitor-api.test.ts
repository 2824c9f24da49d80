/**
 * The monitor API over real HTTP and SSE: the message log derived from task events and agents'
 * messages, search and count, stats, exports, the live feed resumed with Last-Event-ID without
 * duplicates, interventions that really reach the agent or the task, and another tenant that
 * sees none of it.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { readSse, type SseEvent } from './a2a-helpers'
import { api, newTenantAdmin } from './helpers'
import { claim, createTask, output, register, release, uid } from './queue-helpers'
import { until } from './worker-helpers'

const MARK = `mon-${uid()}`
const agent = `watcher-${uid()}:1`

interface Message {
  id: string
  type: string
  agent_name: string | null
  content: string
  metadata: Record<string, unknown>
  timestamp: string
}

async function get<T>(path: string, token?: string | null): Promise<T> {
  const res = await api(path, { token })
  const text = await res.text()
  assert.equal(res.status, 200, `${path}: ${text}`)
  return JSON.parse(text) as T
}
async function post<T = Record<string, unknown>>(path: string, json: unknown, status = 200) {
  const res = await api(path, { method: 'POST', json })
  const text = await res.text()
  assert.equal(res.status, status, `${path}: ${text}`)
  return JSON.parse(text) as T
}
const send = (text: string) =>
  post(`/v1/agents/${encodeURIComponent(agent)}/messages`, { from: 'tester', text })

/** An API key of a tenant of its own, made the way an operator would. */
const otherTenantKey = async () => (await newTenantAdmin()).key

let taskId: string
let worker: string

before(async () => {
  await post('/v1/agents', { name: agent, description: 'monitor test agent' })
  worker = await register()
  taskId = (await createTask({ prompt: `build ${MARK}` })).id
  assert.equal((await claim(worker, taskId)).status, 200)
  assert.equal((await output(worker, taskId, `plain line ${MARK}`)).status, 200)
  const tool = JSON.stringify({ type: 'tool_use', tool: 'read', state: { input: MARK } })
  assert.equal((await output(worker, taskId, tool)).status, 200)
  assert.equal((await release(worker, taskId, { status: 'failed', error: 'boom' })).status, 200)
  await send(`hello ${MARK}`)
})

describe('monitor message log', () => {
  test('task events and agent messages are messages, typed as upstream', async () => {
    const all = await get<Message[]>('/v1/monitor/messages?limit=50')
    const mine = all.filter((m) => m.metadata.task_id === taskId)
    assert.ok(mine.some((m) => m.type === 'agent' && m.content === `plain line ${MARK}`))
    assert.ok(mine.some((m) => m.type === 'tool' && m.content.includes('tool_use')))
    assert.ok(mine.some((m) => m.type === 'error'))
    // A task with no title is named by its prompt.
    assert.ok(
      mine.some((m) => m.type === 'system' && m.content === `Task build ${MARK}: submitted`),
    )
    assert.ok(all.some((m) => m.agent_name === 'tester' && m.content === `hello ${MARK}`))
    const times = all.map((m) => m.timestamp)
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first')
    const two = await get<Message[]>('/v1/monitor/messages?limit=2')
    const first = await get<Message[]>('/v1/monitor/messages?limit=50')
    assert.deepEqual(
      two.map((m) => m.id),
      first.slice(0, 2).map((m) => m.id),
      'a small page is the head of a bigger one',
    )
    const tools = await get<Message[]>('/v1/monitor/messages?type=tool&limit=1000')
    assert.ok(tools.every((m) => m.type === 'tool'))
  })

  test('search and count', async () => {
    const found = await get<Message[]>(`/v1/monitor/messages/search?q=${MARK}`)
    assert.ok(found.length >= 3, JSON.stringify(found))
    assert.ok(found.every((m) => `${m.content} ${m.agent_name}`.includes(MARK)))
    const none = await get<Message[]>('/v1/monitor/messages/search?q=%25_nothing%25')
    assert.equal(none.length, 0, 'LIKE wildcards are matched literally')
    const { count } = await get<{ count: number }>(`/v1/monitor/messages/count?q=${MARK}`)
    assert.equal(count, found.length)
    const byType = await get<{ count: number }>(`/v1/monitor/messages/count?type=tool&q=${MARK}`)
    assert.equal(byType.count, 1)
    const bad = await api('/v1/monitor/messages?type=bogus')
    assert.equal(bad.status, 400)
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'bad_request')
  })

  test('stats, agents, workers, models', async () => {
    const stats = await get<
      Record<string, number> & {
        total_messages: number
        tool_calls: number
        errors: number
        tasks_by_status: Record<string, number>
      }
    >('/v1/monitor/stats')
    assert.ok(stats.total_messages >= 5)
    assert.ok(stats.tool_calls >= 1)
    assert.ok(stats.errors >= 1)
    assert.ok((stats.tasks_by_status.failed ?? 0) >= 1)
    for (const k of ['tokens', 'avg_response_time', 'active_agents', 'interventions']) {
      assert.equal(typeof stats[k], 'number', k)
    }
    const agents = await get<{ name: string; status: string }[]>('/v1/monitor/agents')
    assert.equal(agents.find((a) => a.name === agent)?.status, 'online')
    const workers = await get<{ worker_id?: string; id?: string }[]>('/v1/monitor/workers')
    assert.ok(JSON.stringify(workers).includes(worker))
    assert.ok(Array.isArray((await get<{ models: unknown[] }>('/v1/monitor/models')).models))
  })

  test('exports: JSON and CSV, oldest first, cells safe for spreadsheets', async () => {
    await send(`=HYPERLINK("x") ${MARK}`)
    await send(`comma, "quote" ${MARK}`)
    const json = await api('/v1/monitor/export/json?limit=20')
    assert.match(
      json.headers.get('Content-Disposition') ?? '',
      /attachment; filename="monitor-.*\.json"/,
    )
    const rows = (await json.json()) as Message[]
    const times = rows.map((m) => m.timestamp)
    assert.deepEqual(times, [...times].sort())
    const csv = await api('/v1/monitor/export/csv?all_messages=true')
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('Content-Type') ?? '', /^text\/csv/)
    const text = await csv.text()
    assert.ok(text.startsWith('id,timestamp,type,agent_name,content,error,task_id\r\n'))
    assert.ok(text.includes(`'=HYPERLINK`), 'a formula is defused')
    assert.ok(text.includes(`"comma, ""quote"" ${MARK}"`))
  })
})

describe('monitor stream', () => {
  const open = (headers: Record<string, string> = {}) => {
    const abort = new AbortController()
    return { abort, res: api('/v1/monitor/stream', { headers, signal: abort.signal }) }
  }
  const texts = (events: SseEvent[]) =>
    events.filter((e) => !e.event).map((e) => (e.data as Message).content)

  test('live messages, then a reconnect with Last-Event-ID replays the missed ones once', async () => {
    const first = open()
    const res = await first.res
    assert.match(res.headers.get('Content-Type') ?? '', /text\/event-stream/)
    const run = uid()
    let sent = false
    const seen = await readSse(res, (e, all) => {
      if (e.event === 'connected' && !sent) {
        sent = true
        void send(`live-1 ${run}`)
      }
      if (e.event === 'agent_status') {
        assert.ok(JSON.stringify(e.data).includes(agent))
      }
      return texts(all).includes(`live-1 ${run}`)
    })
    first.abort.abort()
    const last = seen.filter((e) => !e.event).at(-1)
    assert.ok(last?.id, 'messages carry an id')

    for (const n of [2, 3, 4]) await send(`live-${n} ${run}`)
    const again = open({ 'Last-Event-ID': last.id })
    const replayed = await readSse(await again.res, (_e, all) =>
      texts(all).includes(`live-4 ${run}`),
    )
    again.abort.abort()
    const mine = texts(replayed).filter((t) => t.endsWith(run))
    assert.deepEqual(mine, [`live-2 ${run}`, `live-3 ${run}`, `live-4 ${run}`])
    assert.equal(replayed[0]?.event, 'connected')
    assert.equal((replayed[0]?.data as { resumed?: boolean } | undefined)?.resumed, true)
  })
})

describe('intervention', () => {
  test("a message to an agent lands in its inbox (upstream's only logged it)", async () => {
    const text = `stop and think ${uid()}`
    const done = await post<{ delivered_to: string }>('/v1/monitor/intervene', {
      agent_id: agent,
      message: text,
      timestamp: new Date().toISOString(),
    })
    assert.equal(done.delivered_to, 'agent')
    const inbox = await get<{ body: { text: string; intervention: boolean } }[]>(
      `/v1/agents/${encodeURIComponent(agent)}/inbox`,
    )
    const got = inbox.find((m) => m.body.text === text)
    assert.equal(got?.body.intervention, true)
    await until('the intervention is in the log as human', async () => {
      const human = await get<Message[]>('/v1/monitor/messages?type=human&limit=20')
      return human.some((m) => m.content === text)
    })
    const stats = await get<{ interventions: number }>('/v1/monitor/stats')
    assert.ok(stats.interventions >= 1)
  })

  test('an answer to a task waiting for input sends it back to the queue with the answer', async () => {
    const w = await register()
    const t = await createTask()
    assert.equal((await claim(w, t.id)).status, 200)
    const pending_action = { key: 'k1', tool: 'write_file', input: { path: 'a' }, reason: 'writes' }
    const asked = await release(w, t.id, { status: 'input-required', pending_action })
    assert.equal(asked.status, 200, await asked.text())
    await post('/v1/monitor/intervene', { task_id: t.id, message: 'use b instead' })
    const task = await get<{ status: string; metadata: Record<string, unknown> }>(
      `/v1/agent/tasks/${t.id}`,
    )
    assert.equal(task.status, 'pending')
    assert.equal(task.metadata.human_input, 'use b instead')
    const again = await api('/v1/monitor/intervene', {
      method: 'POST',
      json: { task_id: t.id, message: 'too late' },
    })
    assert.equal(again.status, 409)
  })

  test('an intervention can also answer an approval: approved, it is recorded as a decision', async () => {
    const w = await register()
    const t = await createTask()
    assert.equal((await claim(w, t.id)).status, 200)
    const pending_action = { key: 'k2', tool: 'run', input: { cmd: 'ls' }, reason: 'lists' }
    await release(w, t.id, { status: 'input-required', pending_action })
    await post('/v1/monitor/intervene', { task_id: t.id, message: 'fine', approve: true })
    const task = await get<{ status: string; metadata: Record<string, unknown> }>(
      `/v1/agent/tasks/${t.id}`,
    )
    assert.equal(task.status, 'pending')
    assert.equal(task.metadata.approved_actions, undefined, 'approvals are records, not metadata')
    const [approval, ...more] = await get<{ tool: string; action_key: string; decision: string }[]>(
      `/v1/agent/tasks/${t.id}/approvals`,
    )
    assert.deepEqual(more, [])
    assert.equal(approval?.decision, 'approved')
    assert.equal(approval?.action_key, 'k2')
    assert.equal(approval?.tool, 'run')
  })

  test('bad requests: neither or both targets, unknown agent', async () => {
    await post('/v1/monitor/intervene', { message: 'x' }, 400)
    await post('/v1/monitor/intervene', { agent_id: agent, task_id: taskId, message: 'x' }, 400)
    await post('/v1/monitor/intervene', { agent_id: `nobody-${uid()}`, message: 'x' }, 404)
  })
})

describe('tenancy', () => {
  test("another tenant sees none of this tenant's monitor", async () => {
    const key = await otherTenantKey()
    for (const path of [
      '/v1/monitor/messages?limit=1000',
      `/v1/monitor/messages/search?q=${MARK}`,
      '/v1/monitor/export/json?all_messages=true',
      '/v1/monitor/export/csv?all_messages=true',
      '/v1/monitor/agents',
      '/v1/monitor/workers',
    ]) {
      const res = await api(path, { token: key })
      const text = await res.text()
      assert.equal(res.status, 200, text)
      assert.ok(!text.includes(MARK) && !text.includes(agent) && !text.includes(worker), path)
    }
    const stats = await get<{ total_messages: number }>('/v1/monitor/stats', key)
    assert.equal(stats.total_messages, 0)
    const res = await api('/v1/monitor/intervene', {
      method: 'POST',
      token: key,
      json: { task_id: taskId, message: 'x' },
    })
    assert.equal(res.status, 404)
    const abort = new AbortController()
    const stream = await api('/v1/monitor/stream', { token: key, signal: abort.signal })
    const events = await readSse(stream, (e) => e.event === 'agent_status')
    abort.abort()
    assert.ok(!JSON.stringify(events).includes(agent))
  })
})
