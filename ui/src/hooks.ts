import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api'
import type { MonitorMessage } from './api-types'
import { live, onMessage } from './live'
import type { StreamState } from './sse'

export interface Loaded<T> {
  data: T | undefined
  error: string | undefined
  loading: boolean
  reload(): void
}

/** GETs `path` (again whenever it changes, or on reload); null skips the request. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({
    loading: path !== null,
  })
  const [n, setN] = useState(0)
  const shown = useRef(path)
  useEffect(() => {
    if (path === null) return
    let current = true
    // Another path's data is not shown meanwhile (a new filter must not show the old list).
    setState((s) => (shown.current === path ? { ...s, loading: true } : { loading: true }))
    shown.current = path
    api<T>(path).then(
      (data) => current && setState({ data, loading: false }),
      (err: Error) => current && setState({ error: err.message, loading: false }),
    )
    return () => {
      current = false
    }
  }, [path, n])
  const reload = useCallback(() => setN((x) => x + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

/**
 * Runs `fn` when a live message matching `when` arrives, at most once per `ms`: a burst of
 * task events refreshes a list once. This is how views stay current without polling.
 */
export function useLiveRefresh(fn: () => void, when: (m: MonitorMessage) => boolean, ms = 400) {
  const saved = useRef({ fn, when })
  saved.current = { fn, when }
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const off = onMessage((m) => {
      if (!saved.current.when(m) || timer) return
      timer = setTimeout(() => {
        timer = undefined
        saved.current.fn()
      }, ms)
    })
    return () => {
      off()
      if (timer) clearTimeout(timer)
    }
  }, [ms])
}

export function useStreamState(): StreamState {
  const [s, set] = useState(live.state)
  useEffect(() => {
    const fn = () => set(live.state)
    live.stateListeners.add(fn)
    fn() // it may have changed between the first render and this effect
    return () => {
      live.stateListeners.delete(fn)
    }
  }, [])
  return s
}

export function useLiveAgents() {
  const [agents, set] = useState(live.agents)
  useEffect(() => {
    const fn = () => set(live.agents)
    live.agentListeners.add(fn)
    fn()
    return () => {
      live.agentListeners.delete(fn)
    }
  }, [])
  return agents
}

export function useRoute(): string[] {
  const parse = () => (location.hash.replace(/^#\/?/, '').split('?')[0] || 'dashboard').split('/')
  const [route, set] = useState(parse)
  useEffect(() => {
    const fn = () => set(parse())
    addEventListener('hashchange', fn)
    return () => removeEventListener('hashchange', fn)
  }, [])
  return route
}

/** The query part of the hash route (`#/tasks?status=running`). */
export const hashQuery = () => new URLSearchParams(location.hash.split('?')[1] ?? '')
