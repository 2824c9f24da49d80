/**
 * A custom agent on CodeTether's agent API: it prices "<n> <item>" with a tool of the shop's
 * MCP server and asks the Calculator for the total, then publishes `agent.shopper.priced`.
 *
 * The same definition runs in two places, unchanged:
 * - built into the edge app (listed in src/agents/custom/index.ts), with MCP_SERVER_URLS;
 * - as a process anywhere: `npx codetether agent run examples/agents/shopper.ts --mcp URL`.
 *
 * Outside this repository, import from '@codetether/agent-worker/agent'.
 */
import { answer, defineAgent, fail, needsInput } from '../../agent-worker/src/agent/api'

export default defineAgent({
  name: 'shopper',
  title: 'Shopper Agent',
  description: "Prices a shopping list with the shop's MCP tools and the Calculator.",
  skills: [
    {
      id: 'shopping',
      name: 'Shopping',
      description: 'Prices "<count> <item>" from the shop (MCP) with the Calculator',
      tags: ['shopping', 'mcp', 'example'],
      examples: ['price 3 apples'],
    },
  ],
  score: (text) => (/\bprice\b/i.test(text) ? 2 : 0),
  async handle(msg, ctx) {
    const m = /(\d+)\s+([a-z]+)/i.exec(msg.text)
    if (!m) return needsInput('What should I price? Say, for example, "price 3 apples".')
    const count = m[1] as string
    const item = (m[2] as string).toLowerCase().replace(/s$/, '')
    const found = (await ctx.mcp.call('lookup_price', { item })) as { price?: number }
    if (found.price === undefined) return fail(`The shop does not sell ${item}s.`)
    const said = await ctx.send('calculator', `multiply ${count} by ${found.price}`)
    const cents = Number(/=\s*(-?[\d.]+)\s*$/.exec(said)?.[1])
    await ctx.publish('priced', { item, count: Number(count), cents })
    return answer(`${count} × ${item} cost ${cents} cents`, { item, count: Number(count), cents })
  },
})
