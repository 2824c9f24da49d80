import { z } from 'zod'
import type { Tool } from './tool'

/** A tool's input as JSON Schema (what tools/list and get_tool_schema show). */
export function inputJsonSchema(t: Tool): unknown {
  return z.toJSONSchema(z.object(t.input), { io: 'input' })
}
