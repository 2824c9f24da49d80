/**
 * Chat Directly, as a user does it: a real `codetether worker` with an LLM key (the provider
 * faked at the wire), the dashboard's button, two messages answered as they stream, one
 * session on the worker that is found afterwards under Sessions; and the chat at phone width.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { artifactPath, launchBrowser, openMonitor, watchErrors } from './browser'
import { startFakeLlm } from './fakes/llm-server'
import { api, stack } from './helpers'
import { uid } from './queue-helpers'
import { startWorker, tempDir, until, type WorkerProcess } from './worker-helpers'

const name = `chat-${uid()}`
let llm: Awaited<ReturnType<typeof startFakeLlm>>
let worker: WorkerProcess
let browser: Browser
let close: () => Promise<void>

/** The user's messages in a chat completion request, in order. */
const userTexts = (body: { messages?: { role: string; content: unknown }[] }) =>
  (body.messages ?? [])
    .filter((m) => m.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))

before(async () => {
  // Each answer: a line of text, then finish; numbered by the user messages it has seen.
  llm = await startFakeLlm(({ body }) => {
    const heard = userTexts(body)
    return {
      text: `Answer ${heard.length}: you said ${heard.at(-1)}`,
      toolCalls: [{ name: 'finish', args: { summary: `done ${heard.length}` } }],
    }
  })
  worker = startWorker(['--auto-approve', 'safe'], {
    name,
    env: {
      HOME: tempDir('chat-home'),
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${llm.url}/v1`,
    },
  })
  await until('the worker’s global codebase', async () => {
    const rows = (await (await api('/v1/agent/codebases')).json()) as {
      global: boolean
      description: string
    }[]
    return rows.some((r) => r.global && r.description.startsWith(name))
  })
  ;({ browser, close } = await launchBrowser())
})

after(async () => {
  await close?.()
  await worker?.stop()
  await llm?.close()
})

async function newPage(viewport = { width: 1280, height: 860 }): Promise<Page> {
  const context = await browser.newContext({ viewport })
  await context.addInitScript((t) => localStorage.setItem('ct_token', t), stack().devToken)
  return context.newPage()
}

describe('Chat Directly', () => {
  test('two messages stream their answers in one session, found afterwards under Sessions', async () => {
    const page = await newPage()
    const errors = watchErrors(page)
    await openMonitor(page, stack().url, 'dashboard')
    await page.getByRole('link', { name: 'Chat Directly' }).click()
    await page.getByRole('heading', { name: 'Chat Directly' }).waitFor()
    // Keyboard first: the message box has the focus as the chat opens; Enter sends.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'message')
    await page.getByRole('combobox', { name: /^Worker/ }).selectOption({ label: name })
    await page.getByRole('combobox', { name: /^Model/ }).selectOption('openai/fake-model')
    await page.getByLabel('Message').fill('hello there')
    await page.getByLabel('Message').press('Enter')
    const answers = page.locator('.chat .r-assistant')
    await answers.nth(0).getByText('Answer 1: you said hello there').waitFor()
    await answers.nth(0).locator('.answer', { hasText: 'done 1' }).waitFor()
    await page.getByLabel('Message').fill('and again')
    await page.getByLabel('Message').press('Enter')
    await answers.nth(1).getByText('Answer 2: you said and again').waitFor()
    await answers.nth(1).locator('.badge', { hasText: 'completed' }).waitFor()
    await page.screenshot({ path: artifactPath('chat-two-turns.png'), fullPage: true })

    // The second request carried the first exchange: one conversation, continued.
    const last = llm.requests.at(-1)?.body
    assert.deepEqual(userTexts(last), ['hello there', 'and again'])
    // Both ran on the worker picked, in its home directory.
    const tasks = (await (await api('/v1/agent/tasks?limit=20')).json()) as {
      title: string
      worker_id: string
      codebase_id: string
    }[]
    const chat = tasks.filter((t) => t.title.startsWith('Chat: '))
    assert.ok(chat.length >= 2)
    for (const t of chat.slice(0, 2)) assert.match(t.codebase_id, /^global-/)

    // The chat is a session of the worker's global codebase, listed and readable.
    await page.getByRole('link', { name: 'Open in Sessions' }).click()
    await until('the session synced', async () => {
      await page.reload()
      await page.getByRole('heading', { name: 'Conversation' }).waitFor()
      return (await page.locator('.msg.r-user').count()) >= 2
    })
    await page.getByText('and again').first().waitFor()
    assert.deepEqual(errors, [])
  })

  test('at phone width the chat fits the screen and the message box is reachable', async () => {
    const page = await newPage({ width: 390, height: 844 })
    await openMonitor(page, stack().url, 'chat')
    await page.getByLabel('Message').waitFor()
    assert.ok(await page.getByLabel('Message').isVisible())
    const wide = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(wide <= 390, `page is ${wide}px wide`)
    await page.screenshot({ path: artifactPath('chat-phone.png'), fullPage: true })
  })
})
