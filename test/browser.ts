/**
 * Real headless Chromium for the UI suites and the UI bench: Debian's `chromium` (installed
 * here the way the stack installs Postgres, when missing and running as root), driven by
 * playwright-core. Playwright's own browser download does not work on these machines.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { ensurePackages } from '../scripts/stack/packages'

export const CHROMIUM = { path: '/usr/bin/chromium', pkg: 'chromium' }

// No background traffic: this machine's network is closed, and those connections only fail.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  ensurePackages([CHROMIUM], (msg) => console.error(`[browser] ${msg}`))
  // playwright gives every launch a new, empty profile of its own.
  const browser = await chromium.launch({ executablePath: CHROMIUM.path, args: ARGS })
  return { browser, close: () => browser.close() }
}

/** Collects the page's console errors and uncaught exceptions, for "loads with no error". */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname
export function artifactPath(name: string) {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}

/** Every view of the monitor's menu, by its route. */
export const MONITOR_VIEWS = [
  'dashboard',
  'chat',
  'agents',
  'workers',
  'codebases',
  'tasks',
  'sessions',
  'activity',
  'intervene',
  'approvals',
  'settings',
]

/** Opens the monitor at `route` on the Worker at `base`: done once the view and its live feed are up. */
export async function openMonitor(page: Page, base: string, route: string) {
  await page.goto(`${base}/v1/monitor/#/${route}`)
  await page.locator('main h2').first().waitFor()
  await page.locator('.top .conn[data-state="open"]').waitFor()
}
