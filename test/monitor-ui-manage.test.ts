/**
 * The monitor UI's managing views in headless Chromium against the real stack: a codebase
 * registered, triggered with a model, watched and deleted; a session read and resumed; an API
 * key made and revoked, the budget and a limit set; and signing in with a pasted token on a Worker that
 * admits no one without credentials.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { artifactPath, launchBrowser, openMonitor, watchErrors } from './browser'
import { startFakeIdp } from './fakes/oidc-server'
import { api, createTenant, stack, stackVars, startTestWorker } from './helpers'
import { register, uid } from './queue-helpers'

const MARK = `mg-${uid()}`

let browser: Browser
let close: () => Promise<void>
let page: Page
let errors: string[]

async function json<T = Record<string, unknown>>(path: string, init: Parameters<typeof api>[1]) {
  const res = await api(path, init)
  const text = await res.text()
  assert.ok(res.ok, `${path}: ${res.status} ${text}`)
  return JSON.parse(text) as T
}

const open = (route: string) => openMonitor(page, stack().url, route)

before(async () => {
  ;({ browser, close } = await launchBrowser())
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  await context.addInitScript((t) => localStorage.setItem('ct_token', t), stack().devToken)
  page = await context.newPage()
  errors = watchErrors(page)
  // confirm() and prompt() answer yes / nothing, as a user clicking OK would.
  page.on('dialog', (d) => void d.accept())
})
after(async () => {
  await close?.()
})

describe('monitor UI: managing', () => {
  test('a codebase is registered, triggered with a model, watched and deleted', async () => {
    const worker = await register([], [{ id: 'fake/model-1' }])
    await open('codebases')
    await page.getByLabel('Name', { exact: true }).fill(`repo ${MARK}`)
    await page.getByLabel('Path on the worker').fill(`/src/${MARK}`)
    await page.getByRole('combobox', { name: /^Worker/ }).selectOption(worker)
    await page.getByRole('button', { name: 'Register codebase' }).click()
    const card = page.locator('.card.sub', { hasText: `repo ${MARK}` })
    await card.waitFor()

    // Watched from the start; stopping holds its queue, starting hands it out again.
    await card.locator('.badge', { hasText: 'watching' }).waitFor()
    await card.getByRole('button', { name: 'Stop watch' }).click()
    await card.locator('.badge', { hasText: 'stopped' }).waitFor()
    await card.getByRole('button', { name: 'Start watch' }).click()
    await card.locator('.badge', { hasText: 'watching' }).waitFor()

    await card.getByRole('button', { name: 'Trigger agent' }).click()
    await card.getByLabel('Prompt').fill(`refactor ${MARK}`)
    await card.getByLabel('Model').selectOption('fake/model-1')
    await page.screenshot({ path: artifactPath('monitor-codebases-trigger.png'), fullPage: true })
    await card.getByRole('button', { name: 'Trigger agent' }).last().click()
    await page.waitForURL(/#\/tasks\/[^/]+$/)
    const taskId = decodeURIComponent(page.url().split('/').pop() ?? '')
    const task = await json<{ prompt: string; model_ref: string }>(`/v1/agent/tasks/${taskId}`, {})
    // The server stores model refs as provider:model.
    assert.deepEqual([task.prompt, task.model_ref], [`refactor ${MARK}`, 'fake:model-1'])

    await open('codebases')
    await card.getByRole('button', { name: 'Delete' }).click()
    await card.waitFor({ state: 'detached' })
    assert.deepEqual(errors, [])
  })

  test('a session is read and resumed with a prompt', async () => {
    const worker = await register()
    const ws = await json<{ workspace: { id: string } }>('/v1/agent/codebases', {
      method: 'POST',
      json: { name: `s-${MARK}`, path: `/src/s-${MARK}`, worker_id: worker },
    })
    const base = `/v1/agent/codebases/${ws.workspace.id}/sessions`
    await json(`${base}/sync`, {
      method: 'POST',
      json: { worker_id: worker, sessions: [{ id: `ses-${MARK}`, title: `Flaky ${MARK}` }] },
    })
    await json(`${base}/ses-${MARK}/messages/sync`, {
      method: 'POST',
      json: {
        worker_id: worker,
        messages: [
          { id: 'm1', role: 'user', content: 'Why is it flaky?' },
          { id: 'm2', role: 'assistant', content: 'A race in the fixture.', model: 'x/y' },
        ],
      },
    })
    await open('sessions')
    await page.getByLabel('Codebase').selectOption(ws.workspace.id)
    await page.getByRole('searchbox', { name: 'Title or id' }).fill('no such session')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('No matching sessions.').waitFor()
    await page.getByRole('searchbox', { name: 'Title or id' }).fill(`Flaky ${MARK}`)
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('link', { name: `Flaky ${MARK}` }).click()
    await page.getByText('A race in the fixture.').waitFor()
    await page.screenshot({ path: artifactPath('monitor-session.png'), fullPage: true })
    await page.getByLabel('Resume with a prompt').fill('Now fix it')
    await page.getByRole('button', { name: 'Resume session' }).click()
    await page.waitForURL(/#\/tasks\/[^/]+$/)
    const taskId = decodeURIComponent(page.url().split('/').pop() ?? '')
    const task = await json<{ metadata: Record<string, unknown> }>(`/v1/agent/tasks/${taskId}`, {})
    assert.equal(task.metadata.resume_session_id, `ses-${MARK}`)
    assert.deepEqual(errors, [])
  })

  test('settings: an API key is made, shown once and revoked; the budget is set', async () => {
    await open('settings')
    const keys = page.getByRole('region', { name: 'API keys' })
    await keys.getByLabel('Name').fill(`key-${MARK}`)
    await keys.getByRole('button', { name: 'Create key' }).click()
    const shown = await page.locator('.notice code').textContent()
    assert.match(shown ?? '', /^ct_/)
    const me = await json<{ auth: string }>('/v1/auth/userinfo', { token: shown })
    assert.equal(me.auth, 'api_key')
    await keys.getByRole('button', { name: `Revoke key-${MARK}` }).click()
    await keys.getByRole('button', { name: `Revoke key-${MARK}` }).waitFor({ state: 'detached' })
    assert.equal((await api('/v1/auth/userinfo', { token: shown })).status, 401)

    const budget = page.getByRole('region', { name: 'Budget' })
    await budget.getByLabel('Monthly budget (USD, warns)').fill('12.5')
    await budget.getByRole('button', { name: 'Save budget' }).click()
    await page.getByRole('status').getByText('Budget saved').waitFor()
    const b = await json<{ monthly_budget_micros: number }>('/v1/token-billing/budget', {})
    assert.equal(b.monthly_budget_micros, 12_500_000)
    await json('/v1/token-billing/budget', { method: 'PUT', json: { monthly_budget_micros: null } })

    // Every limit is shown with its value; an admin changes one and the page shows it.
    const limits = page.getByRole('region', { name: 'Limits' })
    const value = (name: string, text: string) =>
      limits.locator(`tr[data-limit="${name}"] td.limit-value`, { hasText: text }).waitFor()
    await value('cron_jobs', '100 jobs')
    await value('output_line_bytes', '128 KiB')
    await limits.getByLabel('cron_jobs').fill('250')
    await limits.getByRole('button', { name: 'Save limits' }).click()
    await page.getByRole('status').getByText('Limits saved').waitFor()
    await value('cron_jobs', '250 jobs')
    const set = await json<{ limits: { name: string; value: number }[] }>('/v1/limits', {})
    assert.equal(set.limits.find((l) => l.name === 'cron_jobs')?.value, 250)
    await page.screenshot({ path: artifactPath('monitor-settings-limits.png'), fullPage: true })
    await json('/v1/limits', { method: 'PUT', json: { cron_jobs: null } })
    await page.screenshot({ path: artifactPath('monitor-settings-key.png'), fullPage: true })
    assert.deepEqual(errors, [])
  })

  test('on a Worker that needs credentials, the UI asks for a token and then works', async () => {
    const operator = `op-${uid()}${uid()}`
    const server = await startTestWorker('monitor-ui-auth', {
      ...stackVars(),
      AUTH_MODE: 'production',
      A2A_AUTH_TOKENS: `ops:${operator}`,
      DEFAULT_TENANT_ID: await createTenant(),
    })
    const context = await browser.newContext()
    try {
      const p = await context.newPage()
      const errs = watchErrors(p)
      await p.goto(`${server.url}/v1/monitor/#/dashboard`)
      await p.getByRole('heading', { name: 'Sign in' }).waitFor()
      assert.equal(await p.locator('.top .conn').getAttribute('data-state'), 'connecting')
      await p.screenshot({ path: artifactPath('monitor-sign-in.png') })
      await p.getByLabel('Token').fill(operator)
      await p.getByRole('button', { name: 'Use this token' }).click()
      await p.getByRole('heading', { name: 'Overview' }).waitFor()
      await p.locator('.top .conn[data-state="open"]').waitFor()
      // Only the refusals before signing in are errors (the browser logs each 401).
      assert.ok(
        errs.every((e) => /401/.test(e)),
        errs.join('\n'),
      )
    } finally {
      await context.close()
      await server.worker.stop()
    }
  })

  test('with OIDC configured, "Log in" goes through the provider and back, then the cookie works', async () => {
    const slug = `mon-${uid()}`
    const idp = await startFakeIdp({
      users: [
        {
          username: 'ann',
          password: 'a',
          sub: 'ann',
          roles: ['admin'],
          claims: { ct_tenant: slug },
        },
      ],
    })
    const server = await startTestWorker('monitor-ui-oidc', {
      ...stackVars(),
      AUTH_MODE: 'production',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_TENANT_CLAIM: 'ct_tenant',
    })
    const context = await browser.newContext()
    try {
      const made = await fetch(`${server.url}/v1/tenants`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${stack().devToken}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ slug, display_name: 'Ann' }),
      })
      assert.equal(made.status, 200, await made.text())
      const p = await context.newPage()
      await p.goto(`${server.url}/v1/monitor/#/dashboard`)
      await p.getByRole('link', { name: 'Log in with your identity provider' }).click()
      await p.waitForURL(`${server.url}/v1/monitor/`)
      await p.getByRole('heading', { name: 'Overview' }).waitFor()
      await p.locator('.top .conn[data-state="open"]').waitFor()
      const cookies = await context.cookies(server.url)
      assert.ok(cookies.some((c) => c.name === 'ct_session' && c.httpOnly))
      assert.equal(await p.evaluate(() => localStorage.getItem('ct_token')), null)
    } finally {
      await context.close()
      await server.worker.stop()
      await idp.close()
    }
  })
})
