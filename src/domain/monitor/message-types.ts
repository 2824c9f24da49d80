/** The kinds of message the monitor logs. A leaf module: the response schemas import it alone. */
export const MESSAGE_TYPES = ['agent', 'human', 'system', 'tool', 'error'] as const
export type MessageType = (typeof MESSAGE_TYPES)[number]
