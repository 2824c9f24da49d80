import { LiveObject } from './live-object'

/** One per task: SSE subscribers and replay of the task's events (A2A server issue). */
export class TaskStream extends LiveObject {
  protected override readonly kind = 'task-stream'
}
