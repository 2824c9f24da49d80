/**
 * A task's output: what is stored, read a page at a time (a task may hold tens of MiB of it,
 * which no single reply carries), then live lines from where the pages ended (SSE). A long
 * output stops after a few pages and asks before reading on; the live stream starts once
 * every stored line is shown, so no line is missed or shown twice.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from '../api'
import type { OutputPage, OutputLine as StoredLine } from '../api-types'
import { OutputLine } from '../output'
import { openStream, type StreamState } from '../sse'
import { Empty, ErrorBox, Section } from '../ui'

/** What the view keeps of a line, from a page or an `output` event. */
type Line = Pick<StoredLine, 'seq' | 'output'>

/** Lines per request, and pages read before the view waits for "Load more". */
const PAGE = 500
const PAGES_AT_ONCE = 4

type OutputState = StreamState | 'paused'

function useTaskOutput(id: string, onDone: () => void) {
  const [lines, setLines] = useState<Line[]>([])
  const [state, setState] = useState<OutputState>('connecting')
  const [error, setError] = useState<string>()
  const [loading, setLoading] = useState(false)
  const more = useRef<() => void>(() => {})
  const done = useRef(onDone)
  done.current = onDone

  useEffect(() => {
    let cancelled = false
    let stop: (() => void) | undefined
    let since = 0
    setLines([])
    setError(undefined)
    setState('connecting')
    const add = (xs: Line[]) =>
      setLines((cur) => {
        const last = cur.at(-1)?.seq ?? 0
        const fresh = xs.filter((x) => x.seq > last)
        return fresh.length ? [...cur, ...fresh] : cur
      })
    const live = () => {
      stop = openStream(`/v1/agent/tasks/${encodeURIComponent(id)}/output/stream?since=${since}`, {
        endOn: 'done',
        onState: setState,
        onMessage(m) {
          if (m.event === 'output') add([m.data as Line])
          if (m.event === 'done') done.current()
        },
      })
    }
    const read = async (pages: number) => {
      setLoading(true)
      try {
        for (let i = 0; i < pages; i++) {
          const page = await api<OutputPage>(
            `/v1/agent/tasks/${encodeURIComponent(id)}/output?since=${since}&limit=${PAGE}`,
          )
          if (cancelled) return
          add(page.outputs.map((o) => ({ seq: o.seq, output: o.output })))
          since = page.next_since
          if (!page.more) return live()
        }
        setState('paused')
      } catch (err) {
        if (!cancelled) setError((err as Error).message)
      } finally {
        if (!cancelled) setLoading(false)
      }
    }
    more.current = () => void read(1)
    void read(PAGES_AT_ONCE)
    return () => {
      cancelled = true
      stop?.()
    }
  }, [id])
  return { lines, state, error, loading, loadMore: () => more.current() }
}

export function TaskOutput({ id, onDone }: { id: string; onDone: () => void }) {
  const { lines, state, error, loading, loadMore } = useTaskOutput(id, onDone)
  const label = state === 'open' ? 'streaming' : state === 'paused' ? 'more stored' : state
  return (
    <Section
      title="Output"
      actions={
        <span class={`conn conn-${state}`} data-state={state}>
          {label}
        </span>
      }
    >
      <ErrorBox error={error} />
      {lines.length === 0 ? (
        state !== 'paused' && <Empty>No output yet.</Empty>
      ) : (
        <ol class="output" aria-live="polite" aria-label="Task output">
          {lines.map((l) => (
            <li key={l.seq}>
              <OutputLine text={l.output} />
            </li>
          ))}
        </ol>
      )}
      {state === 'paused' && (
        <p class="row">
          <span class="muted">{lines.length} lines shown; more are stored.</span>
          <button type="button" disabled={loading} onClick={loadMore}>
            Load more output
          </button>
        </p>
      )}
    </Section>
  )
}
