/** A test agent: hears the Shopper's `priced` events and tells `tester:<run>` about each. */
import { defineAgent } from '@codetether/agent-kit'

const tester = process.env.TESTER ?? 'tester:1'

export default defineAgent({
  name: 'listener',
  description: 'Tells the tester about every price the Shopper publishes',
  async setup(ctx) {
    await ctx.subscribe('shopper', 'priced', async (data) => {
      await ctx.tell(tester, `heard ${(data as { cents: number }).cents}`)
    })
  },
  handle: (msg) => `listening (you said ${msg.text})`,
})
