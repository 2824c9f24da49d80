/**
 * The peers for A2A figures: the @a2a-js/sdk sample server shape (Express, DefaultRequestHandler)
 * with an executor that does the same Calculator work, on this machine; its tasks in the SDK's
 * InMemoryTaskStore, or in its DatabaseTaskStore on Postgres, which is what a deployed a2a-js
 * server keeps them in.
 */
import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import { AgentCard, Message, Task, TaskState } from '@a2a-js/sdk'
import {
  type AgentExecutor,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type TaskStore,
} from '@a2a-js/sdk/server'
import { DatabaseTaskStore } from '@a2a-js/sdk/server/database'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import express from 'express'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { evaluate, expressionOf, formatNumber } from '../src/agents/arithmetic'

/** Tasks left waiting for a message, by id: their context, for the cancel's event. */
const waiting = new Map<string, string>()

const executor: AgentExecutor = {
  async execute(ctx, bus) {
    const text = ctx.userMessage.parts
      .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
      .join(' ')
    const ids = { taskId: ctx.taskId, contextId: ctx.contextId }
    bus.publish({
      kind: 'task',
      data: Task.fromJSON({
        id: ctx.taskId,
        contextId: ctx.contextId,
        status: { state: 'TASK_STATE_SUBMITTED' },
        history: [Message.toJSON(ctx.userMessage)],
      }),
    })
    if (!expressionOf(text)) {
      // Nothing to calculate: the task waits for the next message (CancelTask's figures).
      waiting.set(ctx.taskId, ctx.contextId)
      bus.publish({
        kind: 'statusUpdate',
        data: {
          ...ids,
          status: {
            state: TaskState.TASK_STATE_INPUT_REQUIRED,
            message: undefined,
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        },
      })
      bus.finished()
      return
    }
    const expr = expressionOf(text) ?? '0'
    const answer = `${expr} = ${formatNumber(evaluate(expr))}`
    const reply = Message.fromJSON({
      messageId: crypto.randomUUID(),
      role: 'ROLE_AGENT',
      parts: [{ text: answer }],
      ...ids,
    })
    bus.publish({
      kind: 'statusUpdate',
      data: {
        ...ids,
        status: {
          state: TaskState.TASK_STATE_WORKING,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      },
    })
    bus.publish({
      kind: 'artifactUpdate',
      data: {
        ...ids,
        artifact: {
          artifactId: crypto.randomUUID(),
          name: 'result',
          description: '',
          parts: reply.parts,
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      },
    })
    bus.publish({
      kind: 'statusUpdate',
      data: {
        ...ids,
        status: {
          state: TaskState.TASK_STATE_COMPLETED,
          message: reply,
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      },
    })
    bus.finished()
  },
  // As the SDK's samples do: the executor publishes the canceled status the handler waits for.
  async cancelTask(taskId, bus) {
    bus.publish({
      kind: 'statusUpdate',
      data: {
        taskId,
        contextId: waiting.get(taskId) ?? '',
        status: {
          state: TaskState.TASK_STATE_CANCELED,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      },
    })
    waiting.delete(taskId)
    bus.finished()
  },
}

/** The SDK's own table for the peer, beside ours in the stack's database. */
const PEER_TABLE = 'a2a_sdk_peer_tasks'

/**
 * The SDK's DatabaseTaskStore on `databaseUrl`, its table made by the SDK's `a2a-db upgrade`
 * (safe to re-run), with a pool of 16 connections.
 */
export function sdkDatabaseStore(databaseUrl: string): {
  store: TaskStore
  close(): Promise<void>
} {
  const cli = join(import.meta.dirname, '../node_modules/@a2a-js/sdk/dist/cli/a2a_db.js')
  execFileSync(
    process.execPath,
    [cli, 'upgrade', '--url', databaseUrl, '--store', 'tasks', '--tasks-table-name', PEER_TABLE],
    {
      stdio: 'ignore',
    },
  )
  const db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 16 }) }),
  })
  return { store: new DatabaseTaskStore(db, { tableName: PEER_TABLE }), close: () => db.destroy() }
}

export async function startSdkPeer(
  port: number,
  store: TaskStore = new InMemoryTaskStore(),
): Promise<{ close(): Promise<void> }> {
  const card = AgentCard.fromJSON({
    name: 'peer',
    description: 'SDK sample',
    version: '1.0.0',
    supportedInterfaces: [
      { url: `http://127.0.0.1:${port}/`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `http://127.0.0.1:${port}/`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    capabilities: { streaming: true },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'calculator', name: 'Calculator', description: 'arithmetic', tags: ['math'] }],
  })
  const handler = new DefaultRequestHandler(card, store, executor)
  const app = express()
  app.use(express.json())
  // The card too, so that CodeTether can register this server as a remote agent by URL.
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({ agentCardProvider: { getAgentCard: async () => card } }),
  )
  app.use(
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  )
  const server = app.listen(port, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  return { close: () => new Promise((r) => server.close(() => r())) }
}

/**
 * The peer in a process of its own (a2a-peer-process.ts), as a deployed a2a-js server runs:
 * measured in the client's process it would share its event loop with the load and skip the
 * hop between processes that every request to a server makes. Resolves once it listens.
 */
export async function spawnSdkPeer(
  port: number,
  databaseUrl?: string,
): Promise<{ close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'a2a-peer-process.ts'),
      String(port),
      ...(databaseUrl ? [databaseUrl] : []),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`a2a peer exited ${code}`)))
  })
  return {
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
