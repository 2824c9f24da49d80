/**
 * What the API answers, as the server's own response schemas say (src/protocols/rest/schemas):
 * type-only, so nothing of the server reaches the UI's bundle, and a change to an answer's
 * shape fails the UI's typecheck instead of a view at run time.
 */
import type { z } from '@hono/zod-openapi'
import type * as agent from '../../src/protocols/rest/schemas/agent'
import type * as auth from '../../src/protocols/rest/schemas/auth'
import type * as billing from '../../src/protocols/rest/schemas/billing'
import type * as key from '../../src/protocols/rest/schemas/key'
import type * as limits from '../../src/protocols/rest/schemas/limits'
import type * as monitor from '../../src/protocols/rest/schemas/monitor'
import type * as push from '../../src/protocols/rest/schemas/push'
import type * as session from '../../src/protocols/rest/schemas/session'
import type * as task from '../../src/protocols/rest/schemas/task'
import type * as output from '../../src/protocols/rest/schemas/task-output'
import type * as worker from '../../src/protocols/rest/schemas/worker'
import type * as workspace from '../../src/protocols/rest/schemas/workspace'

type Of<S extends z.ZodType> = z.infer<S>

export type Task = Of<typeof task.RestTask>
export type TaskDetail = Of<typeof task.RestTaskDetail>
export type TaskApproval = Of<typeof task.TaskApproval>
export type Worker = Of<typeof worker.Worker>
export type OnlineModels = Of<typeof worker.OnlineModels>
export type OnlineModel = Of<typeof worker.OnlineModel>
export type Workspace = Of<typeof workspace.Workspace>
export type WorkspaceTriggered = Of<typeof workspace.WorkspaceTriggered>
export type OutputPage = Of<typeof output.TaskOutputPage>
export type OutputLine = Of<typeof output.TaskOutputLine>
export type PushDelivery = Of<typeof push.PushDelivery>
export type PushAttempt = Of<typeof push.PushAttempt>
export type PushDeliveries = Of<typeof push.PushDeliveries>
export type Session = Of<typeof session.Session>
export type SessionMessage = Of<typeof session.SessionMessage>
export type SessionPage = Of<typeof session.SessionPage>
export type SessionMessages = Of<typeof session.SessionMessages>
export type SessionResumed = Of<typeof session.SessionResumed>
export type TenantLimit = Of<typeof limits.TenantLimit>
export type TenantLimits = Of<typeof limits.TenantLimits>
export type ApiKey = Of<typeof key.ApiKey>
export type ApiKeyCreated = Of<typeof key.ApiKeyCreated>
export type Budget = Of<typeof billing.BudgetStatus>
export type MonitorStats = Of<typeof monitor.MonitorStats>
export type MonitorMessage = Of<typeof monitor.MonitorMessage>
export type MonitorCount = Of<typeof monitor.MonitorCount>
export type MonitorAgent = Of<typeof monitor.MonitorAgent>
export type AuthStatus = Of<typeof auth.AuthStatus>
export type BusAgent = Of<typeof agent.BusAgent>
