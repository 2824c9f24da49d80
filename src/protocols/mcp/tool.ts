import type { z } from 'zod'
import type { Permission } from '../../auth/permissions'
import type { Scope } from '../../domain/scope'

/** What a tool needs besides its arguments. */
export interface ToolContext {
  scope: Scope
  /** The server's own origin (for the agent card). */
  baseUrl: string
  /** Every tool this caller may use (for search_tools and get_tool_schema). */
  tools: readonly Tool[]
}

/**
 * An MCP tool: a thin call into the same domain functions REST uses. `mutates` tools are
 * not offered to read-only principals.
 */
export interface Tool {
  name: string
  description: string
  input: z.ZodRawShape
  mutates: boolean
  /** What calling it needs; default tasks:write if it mutates, else tasks:read. */
  permission?: Permission
  run(ctx: ToolContext, args: Record<string, unknown>): Promise<unknown>
}

/** Keeps each tool's argument type tied to its schema. */
export function tool<S extends z.ZodRawShape>(t: {
  name: string
  description: string
  input: S
  mutates: boolean
  permission?: Permission
  run(ctx: ToolContext, args: z.infer<z.ZodObject<S>>): Promise<unknown>
}): Tool {
  return t as unknown as Tool
}
