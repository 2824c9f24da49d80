import { createApp } from './app'

export { AgentBus } from '../durable-objects/agent-bus'
export { TaskStream } from '../durable-objects/task-stream'
export { TenantScheduler } from '../durable-objects/tenant-scheduler'
export { WorkerHub } from '../durable-objects/worker-hub'

export default createApp()
