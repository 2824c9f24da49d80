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

export function importCycles(dirs = ['src', 'durable-objects']): string[][] {
  const all = dirs.flatMap((d) => files(join(root, d)))
  const graph = new Map(all.map((f) => [f, runtimeImports(f)]))
  const cycles: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (f: string) => {
    state.set(f, 'open')
    path.push(f)
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') cycles.push(path.slice(path.indexOf(next)))
      else if (!state.has(next) && graph.has(next)) visit(next)
    }
    path.pop()
    state.set(f, 'done')
  }
  for (const f of all) if (!state.has(f)) visit(f)
  return cycles.map((c) => c.map((f) => relative(root, f)))
}

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
export function layerBreaches(): string[] {
  const all = ['src', 'durable-objects'].flatMap((d) => files(join(root, d)))
  return all.flatMap((file) => {
    const from = relative(root, file)
    const banned = FORBIDDEN.find(([layer]) => from.startsWith(layer))?.[1] ?? []
    return runtimeImports(file)
      .map((target) => relative(root, target))
      .filter((to) => banned.some((b) => to.startsWith(b)))
      .map((to) => `${from} → ${to}`)
  })
}

/**
 * Cycles between the domain's folders (one folder per noun): a folder may use another's
 * modules only if that one does not use it back, at any distance, at run time.
 */
export function domainFolderCycles(): string[][] {
  const folderOf = (f: string) => /^src\/domain\/([^/]+)\//.exec(relative(root, f))?.[1]
  const edges = new Map<string, Set<string>>()
  for (const file of files(join(root, 'src/domain'))) {
    const from = folderOf(file)
    if (!from) continue
    for (const target of runtimeImports(file)) {
      const to = folderOf(target)
      if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to))
    }
  }
  const cycles: string[][] = []
  const path: string[] = []
  const visit = (f: string) => {
    path.push(f)
    for (const next of edges.get(f) ?? []) {
      const at = path.indexOf(next)
      if (at >= 0) cycles.push(path.slice(at))
      else visit(next)
    }
    path.pop()
  }
  for (const f of edges.keys()) visit(f)
  // Each cycle once, whichever folder it was found from.
  const seen = new Set<string>()
  return cycles.filter((c) => {
    const key = [...c].sort().join(' ')
    return !seen.has(key) && seen.add(key)
  })
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const cycles = importCycles()
  for (const c of cycles) console.log(`${c.join(' → ')} → ${c[0]}`)
  console.log(cycles.length ? `${cycles.length} import cycle(s)` : 'no import cycles')
  for (const c of domainFolderCycles()) console.log(`domain folders in a cycle: ${c.join(' → ')}`)
  const breaches = layerBreaches()
  for (const b of breaches) console.log(`imports up a layer: ${b}`)
  process.exit(cycles.length || breaches.length || domainFolderCycles().length ? 1 : 0)
}
