import { hasProvider } from '@codetether/agent-kit/provider-table'
import type { Sandbox } from './bwrap.js'
import { codingCliExecutors, isInstalled } from './coding-cli.js'
import { commandExecutor } from './command.js'
import { llmExecutor } from './llm.js'
import type { Executor, TaskSpec } from './types.js'
import { cloneRepoJob, registerCodebaseJob, type WorkspaceHost } from './workspace-jobs.js'

export interface ExecutorChoice {
  /** `auto`, or the name of the executor every task uses unless it names another. */
  configured: string
  defaultModel?: string
  sessionsDir: string
  env: NodeJS.ProcessEnv
  host: WorkspaceHost
  /** Where every executor's child processes run (probed once at start). */
  sandbox: Sandbox
}

const CLI_PREFERENCE = ['claude', 'codex', 'opencode', 'aider'] as const

/** Upstream's trivial agent types, answered by the worker itself. */
const echo: Executor = {
  name: 'echo',
  run: async (ctx) => {
    ctx.emit(ctx.task.prompt)
    return { status: 'completed', result: ctx.task.prompt }
  },
}
const noop: Executor = { name: 'noop', run: async () => ({ status: 'completed', result: '' }) }

/** An executor whose every run has the worker's sandbox in its context. */
const confined = (e: Executor, sandbox: Sandbox): Executor => ({
  name: e.name,
  run: (ctx) => e.run({ ...ctx, sandbox }),
})

/** The executors this worker has, by name, each confined to the worker's sandbox. */
export function executors(choice: ExecutorChoice): Map<string, Executor> {
  const all: Executor[] = [
    llmExecutor({
      defaultModel: choice.defaultModel,
      sessionsDir: choice.sessionsDir,
      env: choice.env,
    }),
    commandExecutor,
    ...Object.values(codingCliExecutors),
    registerCodebaseJob(choice.host),
    cloneRepoJob(choice.host),
    echo,
    noop,
  ]
  return new Map(all.map((e) => [e.name, confined(e, choice.sandbox)]))
}

const found = new WeakMap<ExecutorChoice, { at: number; names: string[] }>()

/**
 * Which executors `auto` may pick on this machine, best first (also what the worker
 * advertises). Looked up once a minute: a CLI installed meanwhile is found without a restart.
 */
export function usable(choice: ExecutorChoice): string[] {
  const cached = found.get(choice)
  if (cached && Date.now() - cached.at < 60_000) return cached.names
  const names: string[] = []
  if (choice.defaultModel || hasProvider(choice.env)) names.push('llm')
  for (const cli of CLI_PREFERENCE) if (isInstalled(cli, choice.env)) names.push(cli)
  found.set(choice, { at: Date.now(), names })
  return names
}

/**
 * The coding CLI a task was routed here for (target_agent_name), when it names one: the server
 * gave it to this worker because it has that CLI, so that is what runs it. Undefined when the
 * name is no CLI (a worker's name, upstream's meaning) or, with `fallback: "any"`, when this
 * worker lacks it and takes the task anyway.
 */
function targetCli(task: TaskSpec, choice: ExecutorChoice): string | undefined | Error {
  const target = task.targetAgent
  if (!target || !Object.hasOwn(codingCliExecutors, target)) return undefined
  if (usable(choice).includes(target)) return target
  if (task.metadata.fallback === 'any') return undefined
  return new Error(`${target} is not installed on this worker`)
}

/** The coding CLI a model belongs to (`claude/sonnet`, `opencode/anthropic/…`), if any. */
const cliOfModel = (model: string | undefined) =>
  (CLI_PREFERENCE as readonly string[]).find((cli) => model?.startsWith(`${cli}/`))

/**
 * The executor for a task: the workspace jobs and trivial types by agent type; then the coding
 * CLI the task was routed to (target_agent_name), the one the task names (metadata.executor),
 * the CLI its model belongs to (`claude/sonnet`), the agent type when it names an executor (`command`, `claude` …), the worker's `--executor`,
 * and for `auto` the best usable one.
 */
export function pick(
  task: TaskSpec,
  choice: ExecutorChoice,
  all: Map<string, Executor>,
): Executor | string {
  const byType = all.get(task.agentType)
  if (
    byType &&
    ['register_codebase', 'clone_repo', 'echo', 'noop', 'command'].includes(byType.name)
  )
    return byType
  const target = targetCli(task, choice)
  if (target instanceof Error) return target.message
  const named = typeof task.metadata.executor === 'string' ? task.metadata.executor : undefined
  const wanted =
    target ??
    named ??
    cliOfModel(task.model) ??
    (CLI_PREFERENCE as readonly string[]).find((c) => c === task.agentType)
  const name = wanted ?? (choice.configured === 'auto' ? usable(choice)[0] : choice.configured)
  if (!name) {
    return 'No executor available: configure an LLM provider key (e.g. OPENAI_API_KEY with --model) or install claude, codex, opencode or aider'
  }
  const executor = all.get(name)
  if (!executor) return `Unknown executor ${name} (known: ${[...all.keys()].join(', ')})`
  if (name in codingCliExecutors && !usable(choice).includes(name))
    return `${name} is not installed on this worker`
  return executor
}
