import { z } from 'zod'
import { addWorkspace } from '../../../domain/queue/workspace-tasks'
import type { Scope } from '../../../domain/scope'
import {
  deleteWorkspace,
  GLOBAL_WORKSPACE,
  getWorkspace,
  listWorkspaces,
  workspaceView,
} from '../../../domain/workspaces/service'
import { redisOf } from '../../../storage/redis/client'
import { tool } from '../tool'

const codebaseId = z.string().min(1).max(200).describe('The codebase (workspace) id')

/** The caller's active codebase, kept a week: MCP here is stateless, so it is per principal. */
const activeKey = (s: Scope) => `mcp:active:${s.tenantId}:${s.principal.subject}`

async function view(scope: Scope, id: string) {
  if (id === 'global') return GLOBAL_WORKSPACE
  return workspaceView(await getWorkspace(scope, id))
}

const getActive = tool({
  name: 'get_active_codebase',
  description: 'The codebase set with set_active_codebase, or null.',
  input: {},
  mutates: false,
  async run({ scope }) {
    const id = await redisOf(scope.config).get<string>(activeKey(scope))
    return { codebase: id ? await view(scope, id).catch(() => null) : null }
  },
})

export const codebaseTools = [
  tool({
    name: 'list_codebases',
    description: 'The codebases (workspaces) workers serve, with their paths and owners.',
    input: {},
    mutates: false,
    async run({ scope }) {
      const rows = await listWorkspaces(scope)
      return { codebases: rows.map(workspaceView) }
    },
  }),
  tool({
    name: 'get_codebase',
    description: 'One codebase by id ("global" for tasks without one).',
    input: { codebase_id: codebaseId },
    mutates: false,
    run: ({ scope }, a) => view(scope, a.codebase_id),
  }),
  tool({
    name: 'create_codebase',
    description:
      'Register a codebase: with worker_id, that worker serves the path; without, an online worker is asked to check and register it.',
    input: {
      name: z.string().min(1).max(200),
      path: z.string().min(1).max(4096).describe('Absolute path on the worker'),
      description: z.string().max(5000).optional(),
      worker_id: z.string().max(200).optional(),
    },
    mutates: true,
    run: ({ scope }, a) =>
      addWorkspace(scope, {
        name: a.name,
        path: a.path,
        description: a.description,
        workerId: a.worker_id,
      }),
  }),
  tool({
    name: 'delete_codebase',
    description: 'Remove a codebase registration (the files on the worker stay).',
    input: { codebase_id: codebaseId },
    mutates: true,
    async run({ scope }, a) {
      await deleteWorkspace(scope, a.codebase_id)
      return { success: true, codebase_id: a.codebase_id }
    },
  }),
  tool({
    name: 'set_active_codebase',
    description: 'Remember a codebase as this caller’s active one.',
    input: { codebase_id: codebaseId },
    mutates: false,
    async run({ scope }, a) {
      const codebase = await view(scope, a.codebase_id)
      await redisOf(scope.config).set(activeKey(scope), a.codebase_id, { ex: 7 * 86400 })
      return { success: true, codebase }
    },
  }),
  getActive,
  { ...getActive, name: 'get_current_codebase', description: 'Alias of get_active_codebase.' },
]
