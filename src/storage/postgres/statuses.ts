/**
 * A task's stored states (A2A's v0.3 names). A leaf module, so that what only needs the names
 * (the response schemas, and the UI's types through them) imports nothing else.
 */
export const taskStatuses = [
  'submitted',
  'working',
  'input-required',
  'auth-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const
export type TaskStatus = (typeof taskStatuses)[number]
