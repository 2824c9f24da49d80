/**
 * Sessions and messages as workers and other tools send them: upstream's opencode shape
 * (`{info: {id, role, modelID, providerID, tokens, time}, parts}`) or a flat one
 * (`{id, role, content, model, provider, tokens, created_at}`). Timestamps are ISO strings or
 * epoch milliseconds. Both become one normalised message.
 */
import { z } from 'zod'

const Timestamp = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v))

/**
 * No single model message comes near ten million tokens of any kind (the largest context
 * windows hold a few million): a count past it is a false report, refused before it is billed.
 */
const Count = z.number().int().nonnegative().max(10_000_000).default(0)
const Tokens = z
  .object({
    input: Count,
    output: Count,
    reasoning: Count,
    cache: z.object({ read: Count, write: Count }).default({ read: 0, write: 0 }),
  })
  .transform((t) => ({
    input: t.input,
    output: t.output,
    reasoning: t.reasoning,
    cache_read: t.cache.read,
    cache_write: t.cache.write,
  }))
export type TokenCounts = z.output<typeof Tokens>

const Id = z.string().min(1).max(300)
const Role = z.enum(['user', 'assistant', 'system', 'tool'])
const Part = z.looseObject({
  type: z.string().max(100),
  text: z.string().max(1_000_000).optional(),
})

const Flat = z.object({
  id: Id,
  role: Role,
  content: z.string().max(1_000_000).default(''),
  parts: z.array(Part).max(1000).default([]),
  model: z.string().max(200).optional(),
  provider: z.string().max(100).optional(),
  tokens: Tokens.optional(),
  created_at: Timestamp.optional(),
  task_id: z.string().max(200).optional(),
})

const Opencode = z.object({
  info: z.object({
    id: Id,
    role: Role,
    modelID: z.string().max(200).optional(),
    providerID: z.string().max(100).optional(),
    tokens: Tokens.optional(),
    time: z.object({ created: Timestamp.optional() }).optional(),
  }),
  parts: z.array(Part).max(1000).default([]),
})

export const IncomingMessage = z.union([Opencode, Flat]).transform((m) => {
  if ('info' in m) {
    return {
      id: m.info.id,
      role: m.info.role,
      content: textOf(m.parts),
      parts: m.parts,
      model: m.info.modelID,
      provider: m.info.providerID,
      tokens: m.info.tokens,
      createdAt: m.info.time?.created,
      taskId: undefined as string | undefined,
    }
  }
  return {
    id: m.id,
    role: m.role,
    content: m.content || textOf(m.parts),
    parts: m.parts,
    model: m.model,
    provider: m.provider,
    tokens: m.tokens,
    createdAt: m.created_at,
    taskId: m.task_id,
  }
})
export type Message = z.output<typeof IncomingMessage>

const textOf = (parts: { type: string; text?: string }[]) =>
  parts
    .filter((p) => p.type === 'text' && p.text)
    .map((p) => p.text)
    .join('\n')

export const IncomingSession = z.object({
  id: Id,
  agent: z.string().max(100).optional(),
  project_id: z.string().max(300).optional(),
  directory: z.string().max(4000).optional(),
  title: z.string().max(1000).default(''),
  version: z.string().max(100).optional(),
  summary: z.record(z.string(), z.unknown()).default({}),
  created_at: Timestamp.optional(),
  updated_at: Timestamp.optional(),
})
export type Session = z.output<typeof IncomingSession>

/** `provider/model` or `provider:model` in one field, as the agent worker reports models. */
export function splitModel(m: Pick<Message, 'model' | 'provider'>) {
  if (m.provider || !m.model) return { provider: m.provider, model: m.model }
  const at = m.model.search(/[/:]/)
  return at > 0 ? { provider: m.model.slice(0, at), model: m.model.slice(at + 1) } : m
}
