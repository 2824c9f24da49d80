/**
 * Upstream's REST status names, served on /v1/agent/*. A leaf module, so that the response
 * schemas (and the UI's types through them) need nothing else of the domain.
 */
export const restStatuses = [
  'pending',
  'running',
  'needs_input',
  'completed',
  'failed',
  'cancelled',
] as const
export type RestStatus = (typeof restStatuses)[number]
