/** A test agent that fails on purpose: "throw" throws, "hang" never answers. */
import { defineAgent } from '@codetether/agent-kit'

export default defineAgent({
  name: 'faulty',
  description: 'Fails on request',
  handle(msg) {
    if (msg.text === 'throw') throw new Error('boom on purpose')
    if (msg.text === 'hang') return new Promise(() => {})
    return 'fine'
  },
})
