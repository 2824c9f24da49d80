/** How usage can be grouped in a report. A leaf module: the response schemas import it alone. */
export const GROUPS = ['tenant', 'user', 'model', 'day', 'month'] as const
export type Group = (typeof GROUPS)[number]
