import { asc, eq, sql } from 'drizzle-orm'
import { agentMemories } from '../storage/postgres/schema'
import { tenantQuery } from '../storage/postgres/tenant'
import { defineAgent, done, type EdgeAgent, type EdgePlatform, failed, keywordHits } from './types'

type Command =
  | { op: 'store'; key: string; value: string }
  | { op: 'retrieve'; key: string }
  | { op: 'delete'; key: string }
  | { op: 'list' }

const clean = (s: string) =>
  s
    .trim()
    .replace(/^["'“]|["'”.!?]$/g, '')
    .trim()

export function parseMemoryCommand(text: string): Command | undefined {
  const t = text.trim()
  let m = /^(?:please\s+)?(?:store|save|remember)\s+([\s\S]+?)\s+as\s+(.+)$/i.exec(t)
  if (m) return { op: 'store', value: clean(m[1] as string), key: clean(m[2] as string) }
  m = /^(?:please\s+)?(?:store|save|remember)(?:\s+that)?\s+(.+?)\s+(?:is|=)\s+([\s\S]+)$/i.exec(t)
  if (m) return { op: 'store', key: clean(m[1] as string), value: clean(m[2] as string) }
  m = /^(?:please\s+)?(?:delete|remove|forget)\s+(.+)$/i.exec(t)
  if (m) return { op: 'delete', key: clean(m[1] as string) }
  // "list" alone or "list memories"; "list rooms" is someone else's.
  const listing =
    /^(?:please\s+)?(?:list|show)(?:\s+(?:all|my|the))?(?:\s+(?:memories|memory|keys|everything))?\s*[.!?]?$/i
  if (listing.test(t) || /\bwhat do you remember\b/i.test(t)) return { op: 'list' }
  m = /^(?:please\s+)?(?:retrieve|get|recall|what is)\s+(.+)$/i.exec(t)
  if (m) return { op: 'retrieve', key: clean(m[1] as string) }
  return undefined
}

async function run(cmd: Command, ctx: EdgePlatform) {
  const { tenantId } = ctx
  switch (cmd.op) {
    case 'store':
      if (!cmd.key || cmd.key.length > 200)
        return failed('A memory key must be 1 to 200 characters.')
      await tenantQuery(ctx, (db) =>
        db
          .insert(agentMemories)
          .values({ tenantId, key: cmd.key, value: cmd.value })
          .onConflictDoUpdate({
            target: [agentMemories.tenantId, agentMemories.key],
            set: { value: cmd.value, updatedAt: sql`now()` },
          }),
      )
      return done(`Stored "${cmd.key}".`, { key: cmd.key, value: cmd.value })
    case 'retrieve': {
      const [row] = await tenantQuery(ctx, (db) =>
        db.select().from(agentMemories).where(eq(agentMemories.key, cmd.key)),
      )
      return row
        ? done(`${row.key}: ${row.value}`, { key: row.key, value: row.value })
        : failed(`Nothing is stored as "${cmd.key}".`)
    }
    case 'delete': {
      const rows = await tenantQuery(ctx, (db) =>
        db.delete(agentMemories).where(eq(agentMemories.key, cmd.key)).returning(),
      )
      return rows.length
        ? done(`Forgot "${cmd.key}".`, { key: cmd.key })
        : failed(`Nothing is stored as "${cmd.key}".`)
    }
    case 'list': {
      const rows = await tenantQuery(ctx, (db) =>
        db.select().from(agentMemories).orderBy(asc(agentMemories.key)).limit(100),
      )
      const entries = rows.map((r) => ({ key: r.key, value: r.value }))
      return done(
        entries.length
          ? `Stored: ${entries.map((e) => e.key).join(', ')}.`
          : 'Nothing is stored yet.',
        { entries },
      )
    }
  }
}

export const memory: EdgeAgent = defineAgent({
  name: 'memory',
  title: 'Memory Agent',
  description: 'Stores, retrieves, lists and deletes values per tenant, durably.',
  skills: [
    {
      id: 'memory',
      name: 'Memory',
      description:
        'A durable key/value memory: "remember <value> as <key>", "recall <key>", "list", "forget <key>".',
      tags: ['memory', 'storage'],
      examples: [
        'remember blue as favourite colour',
        'recall favourite colour',
        'list memories',
        'forget favourite colour',
      ],
    },
  ],
  score(text) {
    return parseMemoryCommand(text)
      ? 2 + keywordHits(text, ['remember', 'recall', 'memory', 'memories', 'forget', 'store'])
      : 0
  },
  async handle({ text }, { platform: ctx }) {
    const cmd = parseMemoryCommand(text)
    if (!cmd) {
      return failed(
        'Say "remember <value> as <key>", "recall <key>", "list memories" or "forget <key>".',
      )
    }
    return run(cmd, ctx)
  },
})
