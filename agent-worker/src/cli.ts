#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { ConfigError, loadSettings } from './config.js'
import { HttpError } from './http.js'
import { log, setLogMode } from './log.js'

const VERSION = '0.1.0'

/** Exit codes: 0 done, 1 the work failed, 2 bad usage or settings, 3 server unreachable or refusing. */
const USAGE = 2
const UNREACHABLE = 3

const COMMON = `Options for every command:
  --server URL     CodeTether server (CODETETHER_SERVER, default http://127.0.0.1:8787)
  --token T        bearer token or API key (CODETETHER_TOKEN)
  --config FILE    JSON settings file (CODETETHER_CONFIG, default ~/.config/codetether/config.json)
  --json           machine-readable output on stdout (the worker: JSON log lines)
  -q, --quiet      only warnings and errors on stderr
  -h, --help       this help`

const HELP: Record<string, string> = {
  main: `codetether ${VERSION}: CodeTether's agent worker and A2A client

Usage: codetether <command> [options]

Commands:
  worker           run tasks from the server in local codebases
  send "MESSAGE"   send one message to the server's agents and print the answer
  stream "MESSAGE" send one message and print its events as they arrive
  chat             talk interactively, keeping the conversation's context
  tasks            list recent tasks
  agents           list the agents and the workers online
  agent run FILE   run an agent written on the agent API, connected to the server's agent bus

Run codetether <command> --help for its options.
${COMMON}`,
  worker: `Usage: codetether worker --codebases PATH[,PATH] [options]

Registers this machine's codebases with the server, receives tasks for them, runs each with
an executor in its codebase and streams the output back. Stops cleanly on SIGTERM or Ctrl-C.

  --codebases P,P      codebases to serve (CODETETHER_CODEBASES)
  --auto-approve M     all | safe (read-only tools only, default) | none (ask a person)
  --sandbox S          auto (bubblewrap when it works, default) | required | off (CODETETHER_SANDBOX)
  --sandbox-read P,P   more paths every sandboxed process may read, e.g. ~/.pyenv (CODETETHER_SANDBOX_READ)
  --name N             worker name (CODETETHER_WORKER_NAME, default the hostname)
  --concurrency N      tasks at once (default 2)
  --executor E         auto (default) | llm | command | claude | codex | opencode | aider
  --model P/M          model of the built-in LLM loop, e.g. openai/gpt-4.1 (CODETETHER_MODEL)
  --capabilities C,C   extra capabilities to advertise
  --state-dir DIR      journal and outbox (default ~/.local/state/codetether/<name>)
  --no-global          do not serve the home directory as this worker's global codebase,
                       where tasks for \`global\` run (CODETETHER_GLOBAL=false)
  --grace SECONDS      on shutdown, how long running tasks may finish (default 30)

codetether worker install [options]   the same worker as a service that starts at login and
                                      restarts after a crash (a systemd user unit; on macOS a
                                      launchd agent), with these settings, the token and the
                                      LLM keys of this shell in a file only you can read
codetether worker uninstall           stops it (running tasks get their grace) and removes it
codetether worker status              whether it runs (exit 0), is stopped (3) or absent (1)

LLM keys come from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY,
GOOGLE_GENERATIVE_AI_API_KEY, OPENROUTER_API_KEY …, <PROVIDER>_BASE_URL for OpenAI-compatible
servers) and from opencode's auth.json. The worker reports the models those providers list
(or their catalogue when offline) to the server; keys never leave this machine.
${COMMON}`,
  send: `Usage: codetether send "MESSAGE" [--context ID]\n\nPrints the answer; exits 1 when the task failed.\n${COMMON}`,
  stream: `Usage: codetether stream "MESSAGE" [--context ID]\n\nPrints each event as [kind] text.\n${COMMON}`,
  chat: `Usage: codetether chat\n\nReads messages from stdin, one per line; /exit or Ctrl-D ends.\n${COMMON}`,
  tasks: `Usage: codetether tasks [--limit N] [--context ID]\n${COMMON}`,
  agents: `Usage: codetether agents\n${COMMON}`,
  agent: `Usage: codetether agent run ./my-agent.ts [--name N] [--mcp URL,URL]

Loads the agent (its default export, made with defineAgent) and runs it as a process on the
server's agent bus: it answers direct messages, A2A tasks for its skills and MCP ask_agent
calls, and receives the events it subscribes to. Messages sent while it is away wait for it.

  --name N         run under this name instead of the definition's
  --mcp URL,URL    MCP servers (Streamable HTTP) whose tools ctx.mcp offers (MCP_SERVER_URLS)
  --timeout MS     longest a message may take (default the definition's, else 30000)
${COMMON}`,
}

const OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  codebases: { type: 'string' },
  'auto-approve': { type: 'string' },
  sandbox: { type: 'string' },
  'sandbox-read': { type: 'string' },
  name: { type: 'string' },
  concurrency: { type: 'string' },
  executor: { type: 'string' },
  model: { type: 'string' },
  capabilities: { type: 'string' },
  'state-dir': { type: 'string' },
  'no-global': { type: 'boolean' },
  grace: { type: 'string' },
  context: { type: 'string' },
  limit: { type: 'string' },
  mcp: { type: 'string' },
  timeout: { type: 'string' },
} as const

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nRun codetether --help for usage.\n`)
    return USAGE
  }
  const { values: v, positionals } = parsed
  const [command = '', ...rest] = positionals
  if (v.version) {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  if (v.help || !command) {
    process.stdout.write(`${HELP[command] ?? HELP.main}\n`)
    return command || v.help ? 0 : USAGE
  }
  if (!HELP[command]) {
    process.stderr.write(`Unknown command ${command}. Run codetether --help for the commands.\n`)
    return USAGE
  }
  const settings = loadSettings({
    server: v.server,
    token: v.token,
    config: v.config,
    json: v.json,
    quiet: v.quiet,
    codebases: v.codebases,
    autoApprove: v['auto-approve'],
    sandbox: v.sandbox,
    sandboxRead: v['sandbox-read'],
    name: v.name,
    concurrency: v.concurrency,
    executor: v.executor,
    model: v.model,
    capabilities: v.capabilities,
    stateDir: v['state-dir'],
    global: v['no-global'] ? false : undefined,
  })
  setLogMode(settings)
  const client = { server: settings.server, token: settings.token, json: settings.json }
  const text = rest.join(' ').trim()
  const needText = () => {
    if (!text)
      throw new ConfigError(`codetether ${command} needs a message: codetether ${command} "…"`)
    return text
  }
  const cmds = await import('./client/commands.js')
  switch (command) {
    case 'worker':
      return rest.length
        ? workerService(rest, settings, Number(v.grace ?? 30))
        : runWorker(settings, Number(v.grace ?? 30), v.config)
    case 'send':
      return cmds.send({ ...client, context: v.context }, needText())
    case 'stream':
      return cmds.stream({ ...client, context: v.context }, needText())
    case 'chat':
      return cmds.chat(client)
    case 'tasks':
      return cmds.tasks({ ...client, limit: Number(v.limit ?? 20), context: v.context })
    case 'agents':
      return cmds.agents(client)
    case 'agent':
      return runAgentProcess(rest, settings, {
        name: v.name,
        mcp: v.mcp ?? process.env.MCP_SERVER_URLS,
        timeout: v.timeout,
      })
  }
  return USAGE
}

async function runAgentProcess(
  args: string[],
  settings: ReturnType<typeof loadSettings>,
  o: { name?: string; mcp?: string; timeout?: string },
) {
  const [sub, file] = args
  if (sub !== 'run' || !file) throw new ConfigError('Usage: codetether agent run ./my-agent.ts')
  const { loadAgent } = await import('./agent/load.js')
  const { runRemoteAgent } = await import('./agent/remote.js')
  const { Server } = await import('./http.js')
  const def = await loadAgent(file)
  const stop = new AbortController()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort())
  await runRemoteAgent(
    def,
    {
      server: new Server({ server: settings.server, token: settings.token }),
      name: o.name,
      mcpServers: (o.mcp ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
      timeoutMs: o.timeout ? Number(o.timeout) : undefined,
    },
    stop.signal,
  )
  return 0
}

async function workerService(
  args: string[],
  settings: ReturnType<typeof loadSettings>,
  graceSeconds: number,
) {
  const service = await import('./service/commands.js')
  const [sub, ...extra] = args
  if (extra.length) throw new ConfigError(`Unexpected argument ${extra[0]}`)
  if (sub === 'install') return service.install(settings, graceSeconds)
  if (sub === 'uninstall') return service.uninstall()
  if (sub === 'status') return service.status()
  throw new ConfigError(`Unknown worker command ${sub}: install, uninstall or status`)
}

async function runWorker(
  settings: ReturnType<typeof loadSettings>,
  graceSeconds: number,
  configFlag?: string,
) {
  if (settings.codebases.length === 0) {
    log.warn(
      settings.global
        ? 'no --codebases: this worker only takes tasks without a codebase'
        : 'no --codebases and --no-global: this worker takes no tasks',
    )
  }
  const { Worker } = await import('./worker/worker.js')
  const worker = new Worker(settings, configFlag)
  // Listening before the start: a worker stopped while it waits for the server still leaves
  // its state directory unlocked and its journals whole.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info(`${signal}: finishing up (again to force)`)
      process.once(signal, () => process.exit(130))
      void worker.stop(graceSeconds * 1000).then(resolve)
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  await worker.start()
  await stopped
  log.info('worker stopped')
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      log.error(err.message)
      process.exitCode = USAGE
    } else if (err instanceof HttpError || refusedOrUnreachable(err)) {
      log.error(`server: ${(err as Error).message}${causeOf(err)}`)
      process.exitCode = UNREACHABLE
    } else {
      log.error((err as Error)?.message ?? String(err))
      process.exitCode = 1
    }
  },
)

/** fetch failing (TypeError) or the A2A client's errors for an HTTP status the server answered. */
function refusedOrUnreachable(err: unknown) {
  const e = err as Error | undefined
  return e?.name === 'TypeError' || /HTTP error|Failed to fetch Agent Card/.test(e?.message ?? '')
}

function causeOf(err: unknown) {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  return cause ? ` (${cause.code ?? cause.message})` : ''
}
