/**
 * Executors that hand a task to a coding-agent CLI installed on the worker's machine (Claude Code,
 * Codex, opencode, aider). The CLI does the work in the codebase; the worker streams its events
 * to the task's subscribers as they come and reports the final answer.
 */
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { which } from './bwrap.js'
import {
  type CliEvents,
  claudeEvents,
  codexEvents,
  opencodeEvents,
  plainTextEvents,
} from './coding-cli-events.js'
import { runProcess } from './process.js'
import type { ExecContext, ExecResult, Executor } from './types.js'

interface CliSpec {
  name: string
  command: string
  args(ctx: ExecContext): string[]
  events(): CliEvents
  /**
   * Its own state under the home directory (logins, sessions, settings): the one part of home
   * it sees. `settings` are read-only within it: hooks and MCP servers planted there would run
   * outside the sandbox the next time the developer starts the CLI.
   */
  state: { dirs: string[]; files: string[]; settings?: string[] }
}

/** The CLI's state, writable in the sandbox; its directories made first so they outlive the run. */
function stateBinds(spec: CliSpec, env: NodeJS.ProcessEnv) {
  const home = env.HOME ?? homedir()
  const dirs = spec.state.dirs.map((d) => join(home, d))
  for (const dir of dirs) mkdirSync(dir, { recursive: true })
  const files = spec.state.files.map((f) => join(home, f))
  const settings = (spec.state.settings ?? []).map((f) => ({
    path: join(home, f),
    writable: false,
  }))
  // After the directories that hold them, so the read-only binds are the ones seen.
  return [...[...dirs, ...files].map((path) => ({ path, writable: true })), ...settings]
}

/** Provider keys a coding CLI needs in its environment (every other secret is withheld). */
export const CLI_KEYS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
]

/** Whether `command` resolves to an executable file on `env.PATH` (or is one, given a path). */
export const isInstalled = (command: string, env: NodeJS.ProcessEnv) =>
  which(command, env) !== undefined

/**
 * The model as the CLI takes it: without the CLI's own prefix (`claude/sonnet`, as the worker
 * reports its models) or the prefix of the one provider it speaks to (`anthropic/…`).
 */
function modelFor(ctx: ExecContext, cli: string, provider?: string): string | undefined {
  const model = ctx.task.model?.trim()
  if (!model) return undefined
  for (const prefix of [cli, provider])
    if (prefix && model.startsWith(`${prefix}/`)) return model.slice(prefix.length + 1)
  return model
}

function stderrTail(lines: string[], max = 10): string {
  return lines.slice(-max).join('\n').trim()
}

function cliExecutor(spec: CliSpec): Executor {
  return {
    name: spec.name,
    async run(ctx) {
      const events = spec.events()
      const outcome = await runProcess(
        ctx,
        spec.command,
        spec.args(ctx),
        (line) => {
          // Blank lines carry nothing for the UI, but aider's answer keeps its paragraphs.
          if (line.trim() !== '') ctx.emit(line)
          events.feed(line)
        },
        { binds: stateBinds(spec, ctx.env) },
      )
      const sessionId = events.sessionId()
      const withSession = <T extends ExecResult>(result: T): T =>
        sessionId ? { ...result, sessionId } : result
      if (outcome.aborted || ctx.signal.aborted) {
        return withSession({ status: 'failed', error: 'cancelled' })
      }
      const reported = events.error()
      if (outcome.code !== 0 || reported) {
        const how =
          outcome.code === null
            ? `was killed by ${outcome.signal ?? 'a signal'}`
            : outcome.code === 0
              ? 'reported an error'
              : `exited with code ${outcome.code}`
        const parts = [`${spec.name} ${how}${reported ? `: ${reported}` : ''}`]
        const tail = stderrTail(outcome.stderrTail)
        if (tail) parts.push(tail)
        return withSession({ status: 'failed', error: parts.join('\n') })
      }
      return withSession({ status: 'completed', result: events.answer() ?? '' })
    },
  }
}

/** Claude Code in print mode; permissions map onto its permission modes. */
export function claudeExecutor(command = 'claude'): Executor {
  return cliExecutor({
    name: 'claude',
    command,
    events: claudeEvents,
    state: {
      dirs: ['.claude'],
      files: ['.claude.json'],
      settings: ['.claude/settings.json', '.claude/settings.local.json'],
    },
    args(ctx) {
      const args = ['-p', '--output-format', 'stream-json', '--verbose']
      // One argument with `=`: the id can never be read as an option of its own.
      if (ctx.task.resumeSessionId) args.push(`--resume=${ctx.task.resumeSessionId}`)
      const model = modelFor(ctx, 'claude', 'anthropic')
      if (model) args.push('--model', model)
      if (ctx.approval === 'all') args.push('--dangerously-skip-permissions')
      else if (ctx.approval === 'safe') {
        args.push('--allowedTools', 'Read', 'Glob', 'Grep', 'LS', '--permission-mode', 'default')
      } else args.push('--permission-mode', 'plan')
      // `--` ends the (variadic) options, so a prompt starting with `-` stays the prompt.
      args.push('--', ctx.task.prompt)
      return args
    },
  })
}

/** Codex's non-interactive `exec`, resuming with `exec resume <id>`. */
export function codexExecutor(command = 'codex'): Executor {
  return cliExecutor({
    name: 'codex',
    command,
    events: codexEvents,
    state: { dirs: ['.codex'], files: [], settings: ['.codex/config.toml'] },
    args(ctx) {
      const resume = ctx.task.resumeSessionId
      // Codebases need not be git repositories; the worker has its own guard rails.
      const args = ['exec', '--json', '--skip-git-repo-check']
      const model = modelFor(ctx, 'codex', 'openai')
      if (model) args.push('--model', model)
      if (ctx.approval === 'all') args.push('--dangerously-bypass-approvals-and-sandbox')
      // `exec resume` rejects `--sandbox` but honours the config override (openai/codex#40149).
      else if (resume) args.push('-c', 'sandbox_mode="read-only"')
      else args.push('--sandbox', 'read-only')
      if (resume) args.push('resume', resume)
      args.push('--', ctx.task.prompt)
      return args
    },
  })
}

/** opencode's headless `run`; `--session` continues a conversation. */
export function opencodeExecutor(command = 'opencode'): Executor {
  return cliExecutor({
    name: 'opencode',
    command,
    events: opencodeEvents,
    state: {
      dirs: [
        '.config/opencode',
        '.local/share/opencode',
        '.local/state/opencode',
        '.cache/opencode',
      ],
      files: [],
      settings: [
        '.config/opencode/opencode.json',
        '.config/opencode/opencode.jsonc',
        '.config/opencode/plugin',
        '.config/opencode/plugins',
      ],
    },
    args(ctx) {
      const args = ['run', '--format', 'json']
      const model = modelFor(ctx, 'opencode')
      if (model) args.push('--model', model)
      if (ctx.task.resumeSessionId) args.push(`--session=${ctx.task.resumeSessionId}`)
      // Headless opencode rejects whatever would ask; `plan` is its agent that does not edit.
      if (ctx.approval === 'all') args.push('--dangerously-skip-permissions')
      else args.push('--agent', 'plan')
      args.push('--', ctx.task.prompt)
      return args
    },
  })
}

/** aider answers one `--message` and exits; it has no sessions to resume. */
export function aiderExecutor(command = 'aider'): Executor {
  return cliExecutor({
    name: 'aider',
    command,
    events: plainTextEvents,
    state: {
      dirs: ['.aider'],
      files: [],
      settings: ['.aider.conf.yml', '.aider.model.settings.yml', '.aider.model.metadata.json'],
    },
    args(ctx) {
      // `=` keeps a prompt that starts with `-` from being read as an option.
      const args = [`--message=${ctx.task.prompt}`, '--yes-always', '--no-pretty', '--no-stream']
      if (ctx.task.model) args.push('--model', ctx.task.model)
      if (ctx.approval !== 'all') args.push('--dry-run')
      return args
    },
  })
}

export const codingCliExecutors: Record<string, Executor> = {
  claude: claudeExecutor(),
  codex: codexExecutor(),
  opencode: opencodeExecutor(),
  aider: aiderExecutor(),
}
