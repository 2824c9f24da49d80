/**
 * The edge app's import graph (src/, durable-objects/) at run time: `import type` and
 * `export type` are left out, since they vanish when compiled. Finds cycles, and imports that
 * go up the layers (src/ imports downwards only: protocols → domain, agents, auth → storage →
 * lib). Prints each one found and exits 1 when there is one (test/structure.test.ts runs it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** `import … from '…'`, `export … from '…'` and `import '…'`, each statement from its start. */
const STATEMENT = /^(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm

/** The local modules `file` imports at run time. */
function runtimeImports(file: string): string[] {
  const out: string[] = []
  for (const [, , typeOnly, from] of readFileSync(file, 'utf8').matchAll(STATEMENT)) {
    if (typeOnly || !from?.startsWith('.')) continue
    const base = resolve(dirname(file), from)
    const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find(existsSync)
    if (target) out.push(target)
  }
  return out
}

/** Each module of the edge app (relative to the repo) and the local modules it imports at run time. */
export function runtimeGraph(): Map<string, string[]> {
  const all = ['src', 'durable-objects'].flatMap((d) => files(join(root, d)))
  return new Map(
    all.map((f) => [relative(root, f), runtimeImports(f).map((t) => relative(root, t))]),
  )
}

/** A graph's cycles: each edge back into the path being walked closes one. */
function cyclesOf(graph: Map<string, Iterable<string>>): string[][] {
  const cycles: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (node: string) => {
    state.set(node, 'open')
    path.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push(path.slice(path.indexOf(next)))
      else if (!state.has(next) && graph.has(next)) visit(next)
    }
    path.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return cycles
}

export const importCycles = (graph = runtimeGraph()) => cyclesOf(graph)

/**
 * Each layer and what it must not import: an adapter may use anything below it, the domain
 * never an adapter, storage and lib nothing above them. The live objects are the domain's
 * peers (they call it and it reaches them through src/lib/live-objects.ts).
 */
const FORBIDDEN: [layer: string, above: string[]][] = [
  ['src/lib/', ['src/protocols/', 'src/domain/', 'src/agents/', 'src/auth/', 'src/storage/']],
  ['src/storage/', ['src/protocols/', 'src/domain/', 'src/agents/', 'src/auth/']],
  ['src/auth/', ['src/protocols/']],
  ['src/domain/', ['src/protocols/']],
  ['src/agents/', ['src/protocols/']],
  ['durable-objects/', ['src/protocols/']],
]

/** Runtime imports from a layer into one it must not import, as `from → to`. */
export function layerBreaches(graph = runtimeGraph()): string[] {
  return [...graph].flatMap(([from, targets]) => {
    const banned = FORBIDDEN.find(([layer]) => from.startsWith(layer))?.[1] ?? []
    return targets
      .filter((to) => banned.some((b) => to.startsWith(b)))
      .map((to) => `${from} → ${to}`)
  })
}

/**
 * Cycles between the domain's folders (one folder per noun): a folder may use another's
 * modules only if that one does not use it back, at any distance, at run time.
 */
export function domainFolderCycles(graph = runtimeGraph()): string[][] {
  const folderOf = (f: string) => /^src\/domain\/([^/]+)\//.exec(f)?.[1]
  const folders = new Map<string, Set<string>>()
  for (const [file, targets] of graph) {
    const from = folderOf(file)
    if (!from) continue
    const uses = folders.get(from) ?? new Set<string>()
    folders.set(from, uses)
    for (const to of targets.map(folderOf)) if (to && to !== from) uses.add(to)
  }
  return cyclesOf(folders)
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const graph = runtimeGraph()
  const cycles = importCycles(graph)
  for (const c of cycles) console.log(`${c.join(' → ')} → ${c[0]}`)
  console.log(cycles.length ? `${cycles.length} import cycle(s)` : 'no import cycles')
  const folders = domainFolderCycles(graph)
  for (const c of folders) console.log(`domain folders in a cycle: ${c.join(' → ')}`)
  const breaches = layerBreaches(graph)
  for (const b of breaches) console.log(`imports up a layer: ${b}`)
  process.exit(cycles.length || folders.length || breaches.length ? 1 : 0)
}
