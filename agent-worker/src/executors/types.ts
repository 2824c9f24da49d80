/** The one interface every way of running a task implements. */
import type { Sandbox } from './bwrap.js'

/** What a worker may do without asking: read-only tools (`safe`), everything (`all`), or nothing (`none`). */
export type ApprovalMode = 'all' | 'safe' | 'none'

/** A claimed task as an executor sees it. */
export interface TaskSpec {
  id: string
  /** The lease's attempt number: the fencing token of every report. */
  attempt: number
  title: string
  prompt: string
  agentType: string
  /** The agent the task was sent to (target_agent_name): a coding CLI or a worker's name. */
  targetAgent?: string
  /** `provider/model` when the task asks for one. */
  model?: string
  metadata: Record<string, unknown>
  /** Absolute real path of the codebase the task runs in. */
  codebasePath: string
  codebaseId?: string
  /** Continue this conversation, when the executor can (metadata.resume_session_id). */
  resumeSessionId?: string
  /** People's approvals the server delivered with the claim (never read from metadata). */
  approvals: ServerApproval[]
}

/** A person's approval of one action, as the server records it. */
export interface ServerApproval {
  id: string
  tool: string
  input: unknown
  approved_by?: string
}

/** The approvals of the running task: take() uses one for this exact action, once. */
export interface Approvals {
  take(tool: string, input: unknown): Promise<boolean>
}

/** An action the approval policy held back, for a person to allow (the task goes input-required). */
export interface PendingAction {
  tool: string
  input: unknown
  reason: string
  /** The action's key (actionKey): what the person is asked to approve. */
  key: string
}

export interface ExecContext {
  task: TaskSpec
  /** Aborted when the server cancels the task or the worker shuts down. */
  signal: AbortSignal
  /** One line of output, streamed to the task's subscribers in order (text or a JSON event). */
  emit(line: string): void
  approval: ApprovalMode
  /** Approvals of actions of this task that a person gave through the server. */
  approvals: Approvals
  /** The environment for child processes: the worker's, minus its token and unrelated secrets. */
  env: NodeJS.ProcessEnv
  /** Called with the process group of every child started, so a restarted worker can stop orphans. */
  onProcess(pgid: number): void
  /**
   * Where child processes run: set by `executors()` for every executor, so no path forgets it
   * (runProcess refuses to start a process without it).
   */
  sandbox?: Sandbox
  /**
   * Whether child processes may change the codebase. The hook for approvals: when unset, only
   * `--auto-approve all` makes it writable (a run a person approved passes it explicitly).
   */
  writable?: boolean
}

export type ExecResult =
  | { status: 'completed'; result: string; sessionId?: string }
  | { status: 'failed'; error: string; sessionId?: string }
  | { status: 'input-required'; pending: PendingAction; sessionId?: string }

export interface Executor {
  /** Shown in output and logs, and the value of `--executor` / metadata.executor that picks it. */
  readonly name: string
  run(ctx: ExecContext): Promise<ExecResult>
}
