/**
 * Agents written on the agent API and built into the edge app. Add yours here; the same
 * definition also runs as a process anywhere with `codetether agent run`.
 */
import auditor from '../../../examples/agents/auditor'
import shopper from '../../../examples/agents/shopper'
import type { EdgeAgent } from '../types'

export const customAgents: EdgeAgent[] = [shopper as EdgeAgent, auditor as EdgeAgent]
