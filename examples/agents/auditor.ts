/**
 * A custom agent that only listens: it subscribes to the Shopper's `priced` events in setup
 * and republishes each as `agent.auditor.noted`, so anyone can follow what was priced.
 */
import { defineAgent } from '../../agent-worker/src/agent/api'

export default defineAgent({
  name: 'auditor',
  title: 'Auditor Agent',
  description: 'Notes every price the Shopper gives (subscribes to agent.shopper.priced).',
  async setup(ctx) {
    await ctx.subscribe('shopper', 'priced', async (data) => {
      const { item, count, cents } = data as { item: string; count: number; cents: number }
      await ctx.publish('noted', { item, count, cents, at: new Date().toISOString() })
    })
  },
  handle: () => 'I note every price the Shopper gives; subscribe to agent.auditor.noted.',
})
