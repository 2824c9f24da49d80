/**
 * The monitor UI in a real headless Chromium against the real stack: every view loads with
 * no console error (screenshots in test/artifacts/), a task created in the UI shows a
 * simulated worker's output live and is cancelled from the UI, a long output is read a page
 * at a time, messages are searched and exported as CSV, an intervention reaches the agent's
 * inbox, an approval is given, the keyboard gets around, and a phone-sized screen works.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { artifactPath, launchBrowser, MONITOR_VIEWS, openMonitor, watchErrors } from './browser'
import { api, stack } from './helpers'
import { claim, createTask, output, register, release, uid } from './queue-helpers'
import { until } from './worker-helpers'

const MARK = `ui-${uid()}`
const agent = `helper-${uid()}:1`

let browser: Browser
let close: () => Promise<void>
let context: BrowserContext
let page: Page
let errors: string[]

const monitorUrl = (route = '') => `${stack().url}/v1/monitor/#/${route}`

/** A page whose requests carry the dev token the way a user's pasted token would be. */
async function newContext(opts: Parameters<Browser['newContext']>[0] = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...opts })
  await ctx.addInitScript((token) => localStorage.setItem('ct_token', token), stack().devToken)
  return ctx
}

/** Form controls and buttons a screen reader would announce without a name. */
const unnamedControls = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button, a[href]')]
      .filter((el) => {
        const named =
          el.closest('label') ||
          el.getAttribute('aria-label') ||
          (el.id && document.querySelector(`label[for="${el.id}"]`)) ||
          ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent?.trim())
        return !named
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  )

const open = (route: string) => openMonitor(page, stack().url, route)

before(async () => {
  ;({ browser, close } = await launchBrowser())
  await api('/v1/agents', { method: 'POST', json: { name: agent, description: 'ui test agent' } })
  context = await newContext()
  page = await context.newPage()
  errors = watchErrors(page)
})
after(async () => {
  await close?.()
})

describe('monitor UI', () => {
  test('every view loads, live, with no console error', async () => {
    for (const view of MONITOR_VIEWS) {
      await open(view)
      // The live stream keeps the network busy, so there is no idle to wait for: a moment for data.
      await page.waitForTimeout(400)
      await page.screenshot({ path: artifactPath(`monitor-${view}.png`), fullPage: true })
      assert.deepEqual(errors, [], `${view}: ${errors.join('\n')}`)
      assert.deepEqual(await unnamedControls(), [], `${view}: controls without a name`)
    }
    const title = await page.title()
    assert.match(title, /Settings · CodeTether Monitor/)
  })

  test('dark mode follows the system setting', async () => {
    const dark = await newContext({ colorScheme: 'dark' })
    const p = await dark.newPage()
    const errs = watchErrors(p)
    await p.goto(monitorUrl('dashboard'))
    await p.locator('main h2').first().waitFor()
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor)
    assert.equal(bg, 'rgb(15, 20, 25)')
    await p.screenshot({ path: artifactPath('monitor-dashboard-dark.png'), fullPage: true })
    assert.deepEqual(errs, [])
    await dark.close()
  })

  test('a task created in the UI shows its live output, then is cancelled', async () => {
    const worker = await register()
    await open('tasks')
    await page.getByLabel('Prompt').fill(`write docs ${MARK}`)
    await page.getByLabel('Title').fill(`Docs ${MARK}`)
    await page.getByLabel('Priority').fill('7')
    await page.getByLabel('Deadline (minutes)').fill('30')
    await page.getByRole('button', { name: 'Create task' }).click()
    await page.waitForURL(/#\/tasks\/[^/]+$/)
    const taskId = decodeURIComponent(page.url().split('/').pop() ?? '')
    await page.getByRole('heading', { name: `Docs ${MARK}` }).waitFor()
    const made = (await (await api(`/v1/agent/tasks/${taskId}`)).json()) as {
      priority: number
      deadline_at: string
    }
    assert.equal(made.priority, 7, 'the priority set in the form')
    const minutes = (Date.parse(made.deadline_at) - Date.now()) / 60_000
    assert.ok(minutes > 28 && minutes <= 30, `deadline in ${minutes} minutes`)

    assert.equal((await claim(worker, taskId)).status, 200)
    await output(worker, taskId, `reading the code ${MARK}`)
    await output(
      worker,
      taskId,
      JSON.stringify({
        type: 'tool_use',
        tool: 'read_file',
        state: { status: 'completed', input: { path: 'README.md' }, output: '# Title' },
      }),
    )
    const out = page.getByRole('list', { name: 'Task output' })
    await out.getByText(`reading the code ${MARK}`).waitFor()
    await out.getByText('⚙ read_file').waitFor()
    await out.getByText('"path": "README.md"').waitFor()
    await page.locator('main .badge', { hasText: 'running' }).waitFor()
    await page.screenshot({ path: artifactPath('monitor-task-live.png'), fullPage: true })

    await page.getByRole('button', { name: 'Cancel task' }).click()
    await page.locator('main .badge', { hasText: 'cancelled' }).waitFor()
    const res = await api(`/v1/agent/tasks/${taskId}`)
    assert.equal(((await res.json()) as { status: string }).status, 'cancelled')

    // The list, filtered by state.
    await open('tasks')
    const row = page.getByRole('row', { name: new RegExp(`Docs ${MARK}`) })
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('running')
    await row.waitFor({ state: 'detached' })
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('cancelled')
    await row.getByText('cancelled').waitFor()
    await row.getByRole('cell', { name: '7', exact: true }).waitFor() // its priority
    assert.deepEqual(errors, [])
  })

  test('a long output is read a page at a time, then on Load more, then live', async () => {
    const worker = await register()
    const task = await createTask({ title: `Long ${MARK}` })
    const claimed = await claim(worker, task.id)
    const { attempt } = (await claimed.json()) as { attempt: number }
    for (let at = 0; at < 2300; at += 1000) {
      const lines = Array.from({ length: Math.min(1000, 2300 - at) }, (_, i) => `l${at + i + 1}`)
      const r = await api(`/v1/agent/tasks/${task.id}/output`, {
        method: 'POST',
        json: { worker_id: worker, attempt, lines, line: at + 1 },
      })
      assert.equal(r.status, 200)
    }
    await open(`tasks/${encodeURIComponent(task.id)}`)
    const out = page.getByRole('list', { name: 'Task output' })
    // Four pages of 500 by themselves; the rest waits to be asked for.
    await page.locator('main .conn[data-state="paused"]').waitFor()
    assert.equal(await out.locator('li').count(), 2000)
    await page.getByRole('button', { name: 'Load more output' }).click()
    await page.locator('main .conn[data-state="open"]').waitFor()
    assert.equal(await out.locator('li').count(), 2300)
    await out.getByText('l2300', { exact: true }).waitFor()
    // Then live, from where the pages ended: nothing twice.
    await output(worker, task.id, `live ${MARK}`)
    await out.getByText(`live ${MARK}`).waitFor()
    assert.equal(await out.locator('li').count(), 2301)
    assert.equal((await release(worker, task.id)).status, 200)
    await page.locator('main .badge', { hasText: 'completed' }).waitFor()
    assert.deepEqual(errors, [])
  })

  test('the activity feed shows new messages live, without reloading', async () => {
    await open('activity')
    const text = `live news ${MARK}`
    const sent = await api(`/v1/agents/${encodeURIComponent(agent)}/messages`, {
      method: 'POST',
      json: { from: 'ops', text },
    })
    assert.equal(sent.status, 200)
    const feed = page.getByRole('list', { name: 'Messages, newest first' })
    await feed.getByText(text).waitFor({ timeout: 10_000 })
    // The count shown includes what arrived live (it settles once the feed has caught up).
    await until(
      'the count shown matches the log',
      async () => {
        const shown = await page.getByText(/matching message/).textContent()
        const total = (await (await api('/v1/monitor/messages/count')).json()) as { count: number }
        return Number(shown?.split(' ')[0]) === total.count
      },
      10_000,
    )
    assert.deepEqual(errors, [])
  })

  test('messages are searched and exported as CSV', async () => {
    await until('the output is in the log', async () => {
      const res = await api(`/v1/monitor/messages/search?q=${MARK}`)
      return ((await res.json()) as unknown[]).length > 0
    })
    await open('activity')
    await page.getByRole('searchbox', { name: 'Search' }).fill(`reading the code ${MARK}`)
    await page.getByRole('button', { name: 'Apply' }).click()
    const feed = page.getByRole('list', { name: 'Messages, newest first' })
    await page.getByText('1 matching message', { exact: true }).waitFor()
    await feed.getByText(`reading the code ${MARK}`).waitFor()
    assert.equal(await feed.locator('li').count(), 1)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ])
    assert.match(download.suggestedFilename(), /^monitor-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = readFileSync((await download.path()) as string, 'utf8')
    assert.ok(csv.startsWith('id,timestamp,type,agent_name,content,error,task_id'))
    assert.ok(csv.includes(`reading the code ${MARK}`))
    await page.screenshot({ path: artifactPath('monitor-activity-search.png'), fullPage: true })
    assert.deepEqual(errors, [])
  })

  test('an intervention sent from the UI reaches the agent', async () => {
    await open('intervene')
    const text = `please pause ${MARK}`
    await page.getByLabel('Agent').selectOption(agent)
    await page.getByLabel('Message', { exact: true }).fill(text)
    await page.getByRole('button', { name: 'Send intervention' }).click()
    await page.getByRole('status').getByText(`Sent to ${agent}`).waitFor()
    const inbox = (await (await api(`/v1/agents/${encodeURIComponent(agent)}/inbox`)).json()) as {
      body: { text: string; intervention?: boolean }
    }[]
    assert.ok(inbox.some((m) => m.body.text === text && m.body.intervention === true))
    await page.getByRole('list', { name: 'Messages, newest first' }).getByText(text).waitFor()
    assert.deepEqual(errors, [])
  })

  test("an approval given in the UI sends the worker's task back to the queue and is shown on the task", async () => {
    const worker = await register()
    const task = await createTask({ title: `Approve ${MARK}` })
    assert.equal((await claim(worker, task.id)).status, 200)
    const pending_action = { key: 'k', tool: 'write_file', input: { path: 'x' }, reason: 'edits' }
    await release(worker, task.id, { status: 'input-required', pending_action })
    await open('approvals')
    const card = page.locator('.card.sub', { hasText: `Approve ${MARK}` })
    await card.getByRole('button', { name: 'Approve' }).click()
    await card.waitFor({ state: 'detached' })
    const res = await api(`/v1/agent/tasks/${task.id}`)
    assert.equal(((await res.json()) as { status: string }).status, 'pending')
    // The task's page shows the decision as the server recorded it: who, what, not yet used.
    await open(`tasks/${encodeURIComponent(task.id)}`)
    const decision = page.locator('section', { hasText: 'Not used yet' })
    await decision.getByText('write_file').waitFor()
    assert.match((await decision.textContent()) ?? '', /approved.*write_file by dev/)
  })

  test('the keyboard reaches and opens every view', async () => {
    await open('dashboard')
    // From the top of the page, as after a fresh load (a view change focuses <main>).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab')
      const text = await page.evaluate(() => document.activeElement?.textContent)
      if (text === 'Workers') break
    }
    await page.keyboard.press('Enter')
    await page.waitForURL(/#\/workers$/)
    await page.getByRole('heading', { name: 'Workers' }).waitFor()
  })

  test('a phone-sized screen: menu, no sideways scrolling, shell cached offline', async () => {
    const phone = await newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    const p = await phone.newPage()
    const errs = watchErrors(p)
    await p.goto(monitorUrl('dashboard'))
    await p.locator('main h2').first().waitFor()
    assert.equal(await p.getByRole('link', { name: 'Tasks', exact: true }).isVisible(), false)
    await p.screenshot({ path: artifactPath('monitor-phone-dashboard.png'), fullPage: true })
    await p.getByRole('button', { name: 'Menu' }).click()
    await p.screenshot({ path: artifactPath('monitor-phone-menu.png') })
    await p.getByRole('link', { name: 'Tasks', exact: true }).click()
    await p.getByRole('heading', { name: 'Create a task' }).waitFor()
    const wide = await p.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(wide <= 390, `page is ${wide}px wide`)
    await p.screenshot({ path: artifactPath('monitor-phone-tasks.png'), fullPage: true })

    const cached = await p.evaluate(async () => {
      await navigator.serviceWorker.ready
      const keys = await caches.keys()
      const cache = await caches.open(keys[0] ?? '')
      return { keys, files: (await cache.keys()).length }
    })
    assert.match(cached.keys[0] ?? '', /^ct-monitor-/)
    assert.equal(cached.files, 5)
    await phone.setOffline(true)
    await p.reload()
    await p.locator('.top h1').waitFor()
    await phone.close()
    assert.deepEqual(
      errs.filter((e) => !/Failed to fetch|ERR_INTERNET_DISCONNECTED|status of 5/.test(e)),
      [],
    )
  })
})
