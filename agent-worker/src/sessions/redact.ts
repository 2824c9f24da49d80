import { redactCredentials } from '@codetether/agent-kit/redact'
import type { MessageRecord } from './types.js'

/**
 * A transcript holds what tools read (a `.env`, a config with a connection string); it leaves
 * the machine without what looks like a credential.
 */
export const redactSecrets = redactCredentials

export const redactMessage = (m: MessageRecord): MessageRecord => ({
  ...m,
  content: redactSecrets(m.content),
})
