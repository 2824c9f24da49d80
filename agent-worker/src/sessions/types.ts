/** A session and its messages as the server's sync endpoints take them. */
export interface SessionRecord {
  id: string
  agent: string
  directory: string
  title: string
  created_at: number
  updated_at: number
}

export interface MessageRecord {
  id: string
  role: 'user' | 'assistant' | 'system' | 'tool'
  content: string
  /** `provider/model` */
  model?: string
  tokens?: {
    input: number
    output: number
    reasoning: number
    cache: { read: number; write: number }
  }
  created_at?: number
  task_id?: string
}

/** An agent's local store of sessions, read where it is readable. */
export interface SessionStore {
  name: string
  /** Sessions of one codebase, with the time their file last changed. */
  list(codebasePath: string): { session: SessionRecord; changedAt: number }[]
  messages(codebasePath: string, sessionId: string): MessageRecord[]
}
