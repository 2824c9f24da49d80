import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { tool } from 'ai'
import { z } from 'zod'
import { gate } from './approval.js'
import { runProcess } from './process.js'
import { hiddenWithin, resolveInside, shown } from './sandbox.js'
import type { ExecContext } from './types.js'

const MAX_READ = 200_000
const MAX_TOOL_OUTPUT = 30_000
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', '.next', 'target', '.venv'])

const clip = (s: string, max = MAX_TOOL_OUTPUT) =>
  s.length > max ? `${s.slice(0, max)}\n… (${s.length - max} more characters)` : s

/** The tools of the LLM loop, each confined to the codebase and gated by the approval mode. */
export function codebaseTools(ctx: ExecContext, finished: (summary: string) => void) {
  const root = ctx.task.codebasePath
  const hidden = ctx.sandbox?.hidden ?? []
  const at = (p: string) => resolveInside(root, p, hidden)
  const skipped = new Set(hiddenWithin(root, hidden))
  return {
    read_file: tool({
      description: 'Read a text file of the codebase (path relative to the codebase root).',
      inputSchema: z.object({ path: z.string().min(1) }),
      execute: async ({ path }) => clip(await readFile(at(path), 'utf8'), MAX_READ),
    }),
    list_files: tool({
      description: 'List the entries of a directory of the codebase ("." for the root).',
      inputSchema: z.object({ path: z.string().default('.') }),
      execute: async ({ path }) => {
        const entries = await readdir(at(path), { withFileTypes: true })
        return entries
          .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
          .sort()
          .join('\n')
      },
    }),
    search: tool({
      description: 'Search the codebase for a regular expression; answers path:line: text.',
      inputSchema: z.object({ pattern: z.string().min(1), path: z.string().default('.') }),
      execute: async ({ pattern, path }) => {
        const re = new RegExp(pattern)
        const hits: string[] = []
        await walk(at(path), skipped, async (file) => {
          const text = await readFile(file, 'utf8').catch(() => '')
          text.split('\n').forEach((line, i) => {
            if (hits.length < 200 && re.test(line))
              hits.push(`${shown(root, file)}:${i + 1}: ${line}`)
          })
        })
        return hits.length ? hits.join('\n') : 'no matches'
      },
    }),
    write_file: tool({
      description: 'Create or overwrite a file of the codebase with the given content.',
      inputSchema: z.object({ path: z.string().min(1), content: z.string() }),
      execute: async (input) => {
        const refused = await gate(ctx, 'write_file', input, false)
        if (refused) return refused
        const file = at(input.path)
        await mkdir(dirname(file), { recursive: true })
        await writeFile(file, input.content)
        return `wrote ${shown(root, file)} (${input.content.length} characters)`
      },
    }),
    edit_file: tool({
      description: 'Replace one exact occurrence of old_text with new_text in a file.',
      inputSchema: z.object({
        path: z.string().min(1),
        old_text: z.string().min(1),
        new_text: z.string(),
      }),
      execute: async (input) => {
        const refused = await gate(ctx, 'edit_file', input, false)
        if (refused) return refused
        const file = at(input.path)
        const text = await readFile(file, 'utf8')
        const count = text.split(input.old_text).length - 1
        if (count !== 1)
          return `old_text occurs ${count} times in ${input.path}; it must occur once`
        await writeFile(
          file,
          text.replace(input.old_text, () => input.new_text),
        )
        return `edited ${shown(root, file)}`
      },
    }),
    run_command: tool({
      description:
        'Run a shell command in the codebase directory; answers its exit code and output.',
      inputSchema: z.object({
        command: z.string().min(1),
        timeout_seconds: z.number().int().min(1).max(3600).default(120),
      }),
      execute: async (input) => {
        const refused = await gate(ctx, 'run_command', { command: input.command }, false)
        if (refused) return refused
        const lines: string[] = []
        const timeout = AbortSignal.timeout(input.timeout_seconds * 1000)
        const signal = AbortSignal.any([ctx.signal, timeout])
        const run = await runProcess(
          { ...ctx, signal },
          '/bin/sh',
          ['-c', input.command],
          (line) => {
            lines.push(line)
            ctx.emit(line)
          },
          // The gate let this (changing) action through: `all`, or a person approved it.
          { writable: true },
        )
        const status = timeout.aborted ? 'timed out' : `exit code ${run.code ?? run.signal}`
        return clip(
          `${status}\n${[...lines, ...run.stderrTail.map((l) => `[stderr] ${l}`)].join('\n')}`,
        )
      },
    }),
    finish: tool({
      description: 'Finish the task with a short summary of what was done (the task result).',
      inputSchema: z.object({ summary: z.string().min(1) }),
      execute: async ({ summary }) => {
        finished(summary)
        return 'ok'
      },
    }),
  }
}

async function walk(
  dir: string,
  skipped: ReadonlySet<string>,
  visit: (file: string) => Promise<void>,
) {
  const info = await stat(dir)
  if (info.isFile()) return visit(dir)
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const sub = join(dir, e.name)
    if (skipped.has(sub)) continue
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(sub, skipped, visit)
    else if (e.isFile()) await visit(join(dir, e.name))
  }
}
