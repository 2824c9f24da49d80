import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, sep } from 'node:path'
import { jobGate } from './approval.js'
import type { Bind } from './bwrap.js'
import { runProcess } from './process.js'
import { realPathOf } from './sandbox.js'
import type { ExecContext, ExecResult, Executor } from './types.js'

export interface WorkspaceHost {
  /** The roots the worker was started with (real paths): registering inside them needs no approval. */
  roots(): string[]
  register(path: string, name: string, description: string): Promise<string>
}

const within = (roots: string[], p: string) =>
  roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep))

function meta(ctx: ExecContext) {
  const m = ctx.task.metadata
  // Judged, registered and served as its real path: a symlink inside the roots pointing
  // elsewhere is judged where it leads.
  const path = typeof m.path === 'string' && m.path !== '' ? realPathOf(m.path) : ''
  return {
    path,
    name: String(m.name ?? path.split(sep).pop() ?? 'codebase'),
    description: String(m.description ?? ''),
  }
}

/** `register_codebase`: the UI asked for a path without a worker; this one checks it and serves it. */
export function registerCodebaseJob(host: WorkspaceHost): Executor {
  return {
    name: 'register_codebase',
    async run(ctx): Promise<ExecResult> {
      const { path, name, description } = meta(ctx)
      if (!path) return { status: 'failed', error: 'metadata.path is missing' }
      // Serving a new path widens what tasks may touch: outside the worker's roots it waits
      // for a person.
      const waiting = await jobGate(ctx, 'register_codebase', { path }, within(host.roots(), path))
      if (waiting) return waiting
      if (!existsSync(path) || !statSync(path).isDirectory())
        return { status: 'failed', error: `${path} is not a directory on this worker` }
      const id = await host.register(path, name, description)
      ctx.emit(`registered ${path} as ${id}`)
      return { status: 'completed', result: JSON.stringify({ codebase_id: id, path }) }
    },
  }
}

/** `clone_repo`: git clone into the path, then register it. */
export function cloneRepoJob(host: WorkspaceHost): Executor {
  return {
    name: 'clone_repo',
    async run(ctx): Promise<ExecResult> {
      const { path, name, description } = meta(ctx)
      const url = String(ctx.task.metadata.git_url ?? '')
      if (!path || !url)
        return { status: 'failed', error: 'metadata.path and metadata.git_url are required' }
      if (!/^(https:\/\/|ssh:\/\/|git@)/.test(url) && !existsSync(url))
        return { status: 'failed', error: `git_url must be https://, ssh:// or git@: ${url}` }
      // Cloning writes, wherever it lands: it needs `all` or a person's approval of this
      // exact repository, branch and path.
      const branch = ctx.task.metadata.git_branch
      const waiting = await jobGate(ctx, 'clone_repo', {
        path,
        git_url: url,
        git_branch: branch ?? null,
      })
      if (waiting) return waiting
      if (existsSync(path)) return { status: 'failed', error: `${path} already exists` }
      const args = [
        'clone',
        '--progress',
        ...(branch ? ['--branch', String(branch)] : []),
        '--',
        url,
        path,
      ]
      // git runs in the sandbox like any task process: the new directory is its codebase.
      mkdirSync(path, { recursive: true })
      const into = { ...ctx, task: { ...ctx.task, codebasePath: path } }
      const run = await runProcess(into, 'git', args, (l) => ctx.emit(l), {
        writable: true,
        binds: gitBinds(url, ctx.env),
      })
      if (run.code !== 0) {
        rmSync(path, { recursive: true, force: true })
        return {
          status: 'failed',
          error: `git clone failed: ${run.stderrTail.slice(-3).join(' ')}`,
        }
      }
      const id = await host.register(path, name, description)
      return { status: 'completed', result: JSON.stringify({ codebase_id: id, path }) }
    },
  }
}

/** What git needs to fetch: its settings and keys (read-only), and a local source repository. */
function gitBinds(url: string, env: NodeJS.ProcessEnv): Bind[] {
  const home = env.HOME ?? homedir()
  const own = ['.gitconfig', '.config/git', '.git-credentials', '.ssh'].map((p) => join(home, p))
  const local = existsSync(url) ? [realPathOf(url)] : []
  return [...own, ...local].map((path) => ({ path, writable: false }))
}
