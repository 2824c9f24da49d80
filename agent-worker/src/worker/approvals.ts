import { actionKey } from '../executors/approval.js'
import type { Approvals, TaskSpec } from '../executors/types.js'
import type { Server } from '../http.js'
import { log } from '../log.js'

/**
 * The approvals the server delivered with a claim. An action runs on one only when the key
 * the worker computes for what it is about to do equals the key of the approved tool and
 * input, and the server lets this holder take it: once, at this attempt.
 */
export function serverApprovals(server: Server, workerId: string, spec: TaskSpec): Approvals {
  const open = [...spec.approvals]
  return {
    async take(tool, input) {
      const key = actionKey(tool, input)
      const i = open.findIndex((a) => actionKey(a.tool, a.input) === key)
      if (i < 0) return false
      const [approval] = open.splice(i, 1)
      if (!approval) return false
      try {
        await server.api.POST('/v1/worker/tasks/{id}/approvals/{approval}/use', {
          params: { path: { id: spec.id, approval: approval.id } },
          headers: { 'X-Worker-ID': workerId },
          body: { attempt: spec.attempt },
        })
        log.info(
          `task ${spec.id}: ${tool} runs on ${approval.approved_by ?? 'a person'}'s approval`,
        )
        return true
      } catch (err) {
        log.warn(`task ${spec.id}: approval ${approval.id} not taken: ${(err as Error).message}`)
        return false
      }
    },
  }
}
