import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tokensOf } from '@codetether/agent-kit/usage'
import type { LanguageModel, ModelMessage } from 'ai'
import { PRIVATE, privateDir } from '../private-fs.js'
import { recordTurn } from '../sessions/llm-store.js'
import { NeedsApproval } from './approval.js'
import type { ExecContext, ExecResult, Executor } from './types.js'

const MAX_STEPS = 50

const SYSTEM = `You are a coding agent working in a codebase on the user's machine.
Use the tools to inspect and change the codebase; paths are relative to its root and cannot
leave it. Work in small verified steps. When done, call finish with a short summary.`

/**
 * The built-in agent: an LLM tool loop on the Vercel AI SDK (any OpenAI-compatible provider
 * or Anthropic). Its text and tool calls stream out as JSON event lines; the conversation is
 * kept under the worker's state directory so `resume_session_id` continues it.
 */
export function llmExecutor(opts: {
  defaultModel?: string
  sessionsDir: string
  env: NodeJS.ProcessEnv
}): Executor {
  return {
    name: 'llm',
    async run(ctx: ExecContext): Promise<ExecResult> {
      const ref = ctx.task.model ?? opts.defaultModel
      if (!ref) return { status: 'failed', error: 'No model: set --model or the task model_ref' }
      // Loaded on first use: a worker that never runs the loop does not carry the SDK.
      const [
        { hasToolCall, stepCountIs, streamText },
        { languageModel, ModelUnavailable },
        { googleModel },
        { codebaseTools },
      ] = await Promise.all([
        import('ai'),
        import('@codetether/agent-kit/providers'),
        import('@codetether/agent-kit/google'),
        import('./tools.js'),
      ])
      let model: LanguageModel
      try {
        model = languageModel(ref, opts.env, { google: googleModel })
      } catch (err) {
        if (err instanceof ModelUnavailable) return { status: 'failed', error: err.message }
        throw err
      }
      const sessionId = ctx.task.resumeSessionId ?? `llm-${ctx.task.id}`
      const sessionFile = join(opts.sessionsDir, `${encodeURIComponent(sessionId)}.json`)
      const earlier: ModelMessage[] = existsSync(sessionFile)
        ? JSON.parse(readFileSync(sessionFile, 'utf8'))
        : []
      const messages: ModelMessage[] = [...earlier, { role: 'user', content: ctx.task.prompt }]

      let summary: string | undefined
      let pending: NeedsApproval | undefined
      const stop = new AbortController()
      const tools = codebaseTools(ctx, (s) => {
        summary = s
      })
      const result = streamText({
        model,
        system: SYSTEM,
        messages,
        tools,
        stopWhen: [stepCountIs(MAX_STEPS), hasToolCall('finish')],
        abortSignal: AbortSignal.any([ctx.signal, stop.signal]),
      })
      let text = ''
      let line = ''
      let failure: string | undefined
      const flush = () => {
        if (line) ctx.emit(JSON.stringify({ type: 'text', text: line }))
        line = ''
      }
      try {
        for await (const part of result.fullStream) {
          if (part.type === 'text-delta') {
            text += part.text
            const pieces = (line + part.text).split('\n')
            line = pieces.pop() ?? ''
            for (const p of pieces) ctx.emit(JSON.stringify({ type: 'text', text: p }))
          } else if (part.type === 'tool-result') {
            flush()
            ctx.emit(toolEvent(part.toolName, part.input, 'completed', part.output))
          } else if (part.type === 'tool-error') {
            flush()
            if (part.error instanceof NeedsApproval) {
              pending = part.error
              stop.abort()
            } else ctx.emit(toolEvent(part.toolName, part.input, 'error', String(part.error)))
          } else if (part.type === 'finish-step') {
            flush()
            text = part.finishReason === 'tool-calls' ? '' : text
          } else if (part.type === 'error') {
            failure = errorText(part.error)
          }
        }
      } catch (err) {
        if (!pending && !ctx.signal.aborted) failure = errorText(err)
      }
      flush()
      if (ctx.signal.aborted) return { status: 'failed', error: 'cancelled', sessionId }
      if (pending) return { status: 'input-required', pending: pending.pending, sessionId }
      if (failure) return { status: 'failed', error: failure, sessionId }
      privateDir(opts.sessionsDir)
      const response = await result.response
      const conversation = [...messages, ...response.messages]
      writeFileSync(sessionFile, JSON.stringify(conversation), PRIVATE)
      const usage = await result.totalUsage
      recordTurn(opts.sessionsDir, sessionId, ctx.task.codebasePath, ctx.task.prompt, {
        end: conversation.length,
        model: ref,
        task_id: ctx.task.id,
        at: Date.now(),
        tokens: tokensOf(usage),
      })
      return { status: 'completed', result: summary ?? text.trim(), sessionId }
    },
  }
}

function toolEvent(tool: string, input: unknown, status: string, output: unknown) {
  const shown = typeof output === 'string' ? output.slice(0, 2000) : output
  return JSON.stringify({ type: 'tool_use', tool, state: { status, input, output: shown } })
}

const errorText = (err: unknown) =>
  err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err)
