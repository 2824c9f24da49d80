import { LiveObject } from './live-object'

/** One per tenant: agent presence, topics and direct messages (agent-to-agent issue). */
export class AgentBus extends LiveObject {
  protected override readonly kind = 'agent-bus'
}
