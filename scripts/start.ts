/**
 * `npm start`: the whole system on this machine, no account, no cloud. Postgres 15 and
 * Redis keep their data in .data/; Ctrl-C stops everything this started.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildPackages } from './stack/build'
import { startStack } from './stack/index'
import { acquireLock, recordUrl } from './stack/lock'
import { isPortFree } from './stack/ports'
import { ROOT } from './stack/wrangler'

const log = (msg: string) => console.error(`[codetether] ${msg}`)
const stateDir = process.env.CODETETHER_DATA_DIR ?? join(ROOT, '.data')
const port = Number(process.env.PORT ?? 8787)

/**
 * Optional features configured in the shell that runs `npm start` reach the Worker: a model
 * for the Coordinator and its key, MCP servers, OIDC, LiveKit, limits, the agent card.
 */
const PASSED =
  /^(COORDINATOR_MODEL|MCP_SERVER_URLS|[A-Z]+_API_KEY|[A-Z]+_BASE_URL|OIDC_\w+|LIVEKIT_\w+|RATE_LIMIT_\w+|AGENT_\w+)$/

function optionalVars(): Record<string, string> {
  const vars = Object.entries(process.env).filter(
    (e): e is [string, string] => PASSED.test(e[0]) && Boolean(e[1]),
  )
  if (vars.length) log(`passing to the Worker: ${vars.map(([k]) => k).join(', ')}`)
  return Object.fromEntries(vars)
}

async function main() {
  mkdirSync(stateDir, { recursive: true })
  const lock = acquireLock(join(stateDir, 'stack.lock'))
  if (!(await isPortFree(port))) {
    lock.release()
    throw new Error(`Port ${port} is in use: set PORT to another port`)
  }
  // The Worker bundles packages/agent-kit as built, and `codetether` runs as built: both
  // from the sources as they are now.
  buildPackages()
  log(`starting Postgres, Redis and the Worker (state in ${stateDir})`)
  const stack = await startStack({ stateDir, port, ephemeral: false, log, vars: optionalVars() })
  recordUrl(join(stateDir, 'stack.lock'), stack.info.url)

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal}: stopping`)
    await stack.stop()
    lock.release()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  const { info } = stack
  console.log(`CodeTether ready at ${info.url}`)
  console.log(`
  dev token     ${info.devToken}   (AUTH_MODE=dev also admits requests without one)
  tenant        ${info.tenantId}
  health        curl ${info.url}/health/ready
  workspaces    curl -H "Authorization: Bearer ${info.devToken}" ${info.url}/v1/agent/workspaces
  stack info    ${join(stateDir, 'stack.json')}
`)
}

main().catch((err: Error) => {
  console.error(`[codetether] ${err.message}`)
  process.exit(1)
})
