/**
 * The one monitor stream the app keeps open: its state for the connection indicator, and
 * the messages and agent presence it brings, for any view that listens. Views refresh on
 * what arrives here instead of polling.
 */
import type { MonitorAgent, MonitorMessage } from './api-types'
import { openStream, type StreamState } from './sse'

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
