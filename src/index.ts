import { createApp } from './app'

export { AgentBus } from '../durable-objects/agent-bus'
export { PushOutbox } from '../durable-objects/push-outbox'
export { TaskStream } from '../durable-objects/task-stream'
export { WorkerHub } from '../durable-objects/worker-hub'

export default createApp()
