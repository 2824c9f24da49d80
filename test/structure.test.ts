/**
 * The code's shape: the edge app's modules import each other without cycles at run time, and
 * only downwards through its layers.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  domainFolderCycles,
  importCycles,
  layerBreaches,
  runtimeGraph,
} from '../scripts/import-cycles'

const graph = runtimeGraph()

test('no runtime import cycle in src/ and durable-objects/ (type-only imports aside)', () => {
  assert.deepEqual(importCycles(graph), [])
})

test('no runtime import up a layer (protocols → domain, agents, auth → storage → lib)', () => {
  assert.deepEqual(layerBreaches(graph), [])
})

test('no cycle between the domain folders at run time', () => {
  assert.deepEqual(domainFolderCycles(graph), [])
})
