import { z } from '@hono/zod-openapi'

/** One stored line of worker output (an `output` event), with its event seq. */
export const TaskOutputLine = z
  .object({
    seq: z.number().int(),
    output: z.string(),
    worker_id: z.string(),
    timestamp: z.iso.datetime().openapi({ description: 'When the server stored the line' }),
    attempt: z
      .number()
      .int()
      .optional()
      .openapi({ description: "The claim's attempt, when the worker sent it" }),
    line: z
      .number()
      .int()
      .optional()
      .openapi({ description: "The worker's 1-based number of the line, when it numbered them" }),
  })
  .openapi('TaskOutputLine')

export const TaskOutputPage = z
  .object({
    task_id: z.string(),
    outputs: z.array(TaskOutputLine),
    total: z.number().int().describe('Lines in this page'),
    next_since: z.number().int().describe('`since` for the next page'),
    more: z.boolean().describe('More output is stored after this page'),
  })
  .openapi('TaskOutputPage')

export const TaskOutputStored = z
  .object({
    success: z.literal(true),
    seq: z.number().int().openapi({ description: 'The seq of the last line stored (0: none)' }),
    duplicate: z.boolean(),
  })
  .openapi('TaskOutputStored')
