/** The code's shape: the edge app's modules import each other without cycles at run time. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { importCycles } from '../scripts/import-cycles'

test('no runtime import cycle in src/ and durable-objects/ (type-only imports aside)', () => {
  assert.deepEqual(importCycles(), [])
})
