/**
 * The one monitor stream the app keeps open: its state for the connection indicator, and
 * the messages and agent presence it brings, for any view that listens. Views refresh on
 * what arrives here instead of polling.
 */
import { openStream, type StreamState } from './sse'

export interface MonitorMessage {
  id: string
  type: 'agent' | 'human' | 'system' | 'tool' | 'error'
  agent_name: string | null
  content: string
  metadata: Record<string, unknown>
  error: string | null
  timestamp: string
}

export interface MonitorAgent {
  id: string
  name: string
  kind: string
  role: string
  description: string
  status: string
  messages_count: number
  last_seen: string | null
}

type Listener = (m: MonitorMessage) => void

export const live = {
  state: 'connecting' as StreamState,
  agents: undefined as MonitorAgent[] | undefined,
  stateListeners: new Set<() => void>(),
  messageListeners: new Set<Listener>(),
  agentListeners: new Set<() => void>(),
  stop: undefined as (() => void) | undefined,
}

export function startLive() {
  live.stop?.()
  live.stop = openStream('/v1/monitor/stream', {
    onState(s) {
      live.state = s
      for (const fn of live.stateListeners) fn()
    },
    onMessage(m) {
      if (m.event === 'agent_status') {
        live.agents = (m.data as { agents: MonitorAgent[] }).agents
        for (const fn of live.agentListeners) fn()
      } else if (m.event === 'message') {
        for (const fn of live.messageListeners) fn(m.data as MonitorMessage)
      }
    },
  })
}

export function onMessage(fn: Listener) {
  live.messageListeners.add(fn)
  return () => {
    live.messageListeners.delete(fn)
  }
}
