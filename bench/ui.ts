/**
 * The monitor UI's first load in headless Chromium against the local stack (wrangler dev,
 * which gzips static assets as Cloudflare does): bytes transferred on the wire for a cold
 * load (every cache empty), and the time from navigation to the first paint and to the
 * dashboard showing its figures. The floor is the first paint of a one-line static page.
 */
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../test/browser'
import { type Figure, latencyFigure } from './lib'

/** The first contentful paint, since navigation started (waits for it if still to come). */
const FIRST_PAINT = () =>
  new Promise<number>((resolve) => {
    new PerformanceObserver((list) => {
      const e = list.getEntriesByName('first-contentful-paint')[0]
      if (e) resolve(e.startTime)
    }).observe({ type: 'paint', buffered: true })
  })

interface Load {
  shellBytes: number
  apiBytes: number
  firstPaintMs: number
  dashboardMs: number
}

/** One cold load: a new context (empty cache, no service worker yet), bytes counted by CDP. */
async function coldLoad(browser: Browser, url: string, token: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  await context.addInitScript((t) => localStorage.setItem('ct_token', t), token)
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  const urls = new Map<string, string>()
  let shellBytes = 0
  let apiBytes = 0
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url))
  cdp.on('Network.loadingFinished', (e) => {
    const path = new URL(urls.get(e.requestId) ?? url).pathname
    if (/\/v1\/monitor\/(|[\w.-]+\.(js|css|svg|webmanifest))$/.test(path))
      shellBytes += e.encodedDataLength
    else apiBytes += e.encodedDataLength
  })
  const started = Date.now()
  await page.goto(`${url}/v1/monitor/#/dashboard`)
  await page.waitForFunction(() => {
    const first = document.querySelector('.tiles .tile dd')?.textContent
    return first !== undefined && first !== '–' // a dash until the figures arrive
  })
  const dashboardMs = Date.now() - started
  const firstPaintMs = await page.evaluate(FIRST_PAINT)
  // The stream stays open and is not part of the load; what finished by now is.
  await context.close()
  return { shellBytes, apiBytes, firstPaintMs, dashboardMs }
}

async function staticPaint(browser: Browser): Promise<number> {
  const page = await browser.newPage()
  await page.goto('data:text/html,<!doctype html><h1>CodeTether</h1>')
  const ms = await page.evaluate(FIRST_PAINT)
  await page.close()
  return ms
}

export async function uiFigures(url: string, token: string, runs: number): Promise<Figure[]> {
  const { browser, close } = await launchBrowser()
  try {
    await coldLoad(browser, url, token) // warm the server side (first esbuild/asset reads)
    const loads: Load[] = []
    const floor: number[] = []
    for (let i = 0; i < runs; i++) {
      loads.push(await coldLoad(browser, url, token))
      floor.push(await staticPaint(browser))
    }
    const kb = (xs: number[]) => xs.map((b) => b / 1024)
    const staticName = 'chromium: static one-line page, first paint'
    return [
      latencyFigure(staticName, floor),
      latencyFigure(
        'ui: cold load, first paint',
        loads.map((l) => l.firstPaintMs),
        { vs: staticName },
      ),
      latencyFigure(
        'ui: cold load, dashboard figures shown',
        loads.map((l) => l.dashboardMs),
        { vs: 'ui: cold load, first paint' },
      ),
      latencyFigure(
        'ui: first load transferred, shell (gzip)',
        kb(loads.map((l) => l.shellBytes)),
        { unit: 'KB' },
      ),
      latencyFigure('ui: first load transferred, API calls', kb(loads.map((l) => l.apiBytes)), {
        unit: 'KB',
      }),
    ]
  } finally {
    await close()
  }
}
