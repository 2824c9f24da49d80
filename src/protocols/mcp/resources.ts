import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import { listTasks } from '../../domain/task-model/queries'
import { readTask } from '../../domain/task-model/read-cache'
import { restTaskView } from '../../domain/task-model/rest-view'
import { getWorkspace, listWorkspaces, workspaceView } from '../../domain/workspaces/service'
import type { ToolContext } from './tool'

const json = (uri: URL, value: unknown) => ({
  contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }],
})

/**
 * Tasks and codebases as resources a client can list, read and attach to a conversation:
 * `codetether://tasks/{task_id}` and `codetether://codebases/{codebase_id}`, the same views
 * REST serves, scoped to the caller's tenant like every tool.
 */
export function registerResources(server: McpServer, { scope }: Pick<ToolContext, 'scope'>) {
  server.registerResource(
    'task',
    new ResourceTemplate('codetether://tasks/{task_id}', {
      list: async () => ({
        resources: (await listTasks(scope, { limit: 50 })).map((t) => ({
          uri: `codetether://tasks/${t.id}`,
          name: t.title || t.id,
          mimeType: 'application/json',
        })),
      }),
    }),
    { description: 'A task: status, prompt, result or error', mimeType: 'application/json' },
    async (uri, { task_id }) => {
      const task = await readTask(scope, String(task_id))
      if (!task) throw new Error(`Task ${task_id} not found`)
      return json(uri, restTaskView(task))
    },
  )
  server.registerResource(
    'codebase',
    new ResourceTemplate('codetether://codebases/{codebase_id}', {
      list: async () => ({
        resources: (await listWorkspaces(scope)).map((w) => ({
          uri: `codetether://codebases/${w.id}`,
          name: w.name,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      description: 'A codebase (workspace): path, owner worker, status',
      mimeType: 'application/json',
    },
    async (uri, { codebase_id }) =>
      json(uri, workspaceView(await getWorkspace(scope, String(codebase_id)))),
  )
}
