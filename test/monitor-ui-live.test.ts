/**
 * The monitor UI across a server restart, in headless Chromium: the indicator shows the
 * stream down, the UI reconnects on its own with Last-Event-ID, and what was said meanwhile
 * shows exactly once, as does what came before.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startWrangler } from '../scripts/stack/wrangler'
import { artifactPath, launchBrowser, watchErrors } from './browser'
import { api, stackVars, startTestWorker } from './helpers'
import { uid } from './queue-helpers'

const say = (to: string, text: string) =>
  api(`/v1/agents/${encodeURIComponent(to)}/messages`, {
    method: 'POST',
    json: { from: 'ops', text },
  })

test('the live feed survives a server restart: reconnects, nothing missed, nothing twice', async () => {
  const { browser, close } = await launchBrowser()
  // A Worker of its own (same Postgres), so it can be stopped and started again.
  const server = await startTestWorker('monitor-ui-restart', stackVars())
  let again: Awaited<ReturnType<typeof startWrangler>> | undefined
  try {
    const agent = `listener-${uid()}:1`
    assert.equal((await api('/v1/agents', { method: 'POST', json: { name: agent } })).status, 200)
    const page = await (await browser.newContext()).newPage()
    const errors = watchErrors(page)
    await page.goto(`${server.url}/v1/monitor/#/activity`)
    await page.locator('.top .conn[data-state="open"]').waitFor()
    const feed = page.getByRole('list', { name: 'Messages, newest first' })
    const before = `before ${uid()}`
    await say(agent, before)
    await feed.getByText(before).waitFor()

    await server.worker.stop()
    await page.locator('.top .conn[data-state="connecting"]').waitFor()
    await page.screenshot({ path: artifactPath('monitor-reconnecting.png') })
    const away = `while away ${uid()}`
    await say(agent, away) // through the stack's own Worker, into the same log

    again = await startWrangler(server.options)
    await page.locator('.top .conn[data-state="open"]').waitFor({ timeout: 30_000 })
    await feed.getByText(away).waitFor({ timeout: 10_000 })
    await page.waitForTimeout(2000) // time for a duplicate to show, if one were coming
    assert.equal(await feed.getByText(away).count(), 1)
    assert.equal(await feed.getByText(before).count(), 1)
    // The only errors are the browser's own reports of the cut stream and refused reconnects.
    assert.ok(
      errors.every((e) => /ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(e)),
      errors.join('\n'),
    )
  } finally {
    await (again ?? server.worker).stop()
    await close()
  }
})
