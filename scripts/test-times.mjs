/**
 * A node:test reporter that prints each test file's wall time, slowest first, after the run
 * (scripts/test.ts adds it beside the spec reporter): where the suite's minutes go. Plain
 * JavaScript: node loads reporters before any loader hook, so tsx cannot compile it.
 */
import { relative } from 'node:path'

/** @param {AsyncIterable<{ type: string, data?: { file?: string } }>} source */
export default async function* fileTimes(source) {
  // Files run one after another (--test-concurrency=1) but are all announced at the start,
  // so a file's time is from the previous file's last event to its own.
  /** @type {Map<string, number>} */
  const lastEvent = new Map()
  let started
  for await (const event of source) {
    started ??= Date.now()
    const file = event.data?.file
    if (!file || event.type === 'test:enqueue') continue
    lastEvent.delete(file) // keeps the map in order of each file's last event
    lastEvent.set(file, Date.now())
  }
  let previous = started ?? Date.now()
  const rows = []
  for (const [file, last] of lastEvent) {
    rows.push({ file: relative(process.cwd(), file), ms: last - previous })
    previous = last
  }
  rows.sort((a, b) => b.ms - a.ms)
  const total = rows.reduce((sum, r) => sum + r.ms, 0)
  yield `\ntest files by wall time (total ${(total / 1000).toFixed(0)} s):\n`
  for (const r of rows) yield `${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.file}\n`
}
