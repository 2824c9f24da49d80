/**
 * Chat Directly: talk to the LLM loop on a worker, in its global codebase (the home
 * directory). Each message is a task that continues one session on that worker
 * (`resume_session_id`), so the chat is a session like any other: listed under Sessions,
 * resumable there. Answers stream in as the task view shows them (text and tool steps).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, post } from '../api'
import type { Workspace as Codebase, OnlineModel, Task, Worker } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { ModelSelect, useOnlineModels } from '../model-select'
import { OutputLine } from '../output'
import { openStream } from '../sse'
import { act, Badge, Empty, ErrorBox, Field, Section } from '../ui'

const enc = encodeURIComponent

/** A session id the LLM loop takes as a new conversation's (and continues afterwards). */
const newSession = () => `llm-${crypto.randomUUID()}`

interface Turn {
  prompt: string
  task: string
}

/**
 * One answer: its output lines live, then how the task ended, or that it waits for a person's
 * approval (the chat goes on meanwhile; the task's page takes the answer).
 */
function Answer({ task, onDone }: { task: string; onDone(t: Task): void }) {
  const [lines, setLines] = useState<{ seq: number; output: string }[]>([])
  const [final, setFinal] = useState<Task>()
  const [waiting, setWaiting] = useState(false)
  const done = useRef(onDone)
  done.current = onDone
  useLiveRefresh(
    () =>
      void api<Task>(`/v1/agent/tasks/${enc(task)}`).then((t) => {
        const needs = t.status === 'needs_input'
        setWaiting(needs)
        if (needs) done.current(t)
      }),
    (m) => m.metadata.task_id === task && m.metadata.kind === 'status',
  )
  useEffect(() => {
    const stop = openStream(`/v1/agent/tasks/${enc(task)}/output/stream?since=0`, {
      endOn: 'done',
      onMessage(m) {
        if (m.event === 'output') {
          const line = m.data as { seq: number; output: string }
          setLines((cur) => (cur.some((l) => l.seq === line.seq) ? cur : [...cur, line]))
        }
        if (m.event === 'done')
          void api<Task>(`/v1/agent/tasks/${enc(task)}`).then((t) => {
            setFinal(t)
            done.current(t)
          })
      },
    })
    return stop
  }, [task])
  return (
    <li class="msg r-assistant" aria-busy={!final}>
      <div class="msg-head">
        <strong>agent</strong>
        {final ? <Badge value={final.status} /> : <span class="muted">working…</span>}
        <a href={`#/tasks/${enc(task)}`} class="muted small">
          task
        </a>
      </div>
      {lines.map((l) => (
        <OutputLine key={l.seq} text={l.output} />
      ))}
      {waiting && !final && (
        <p class="notice">
          Waiting for approval of an action: <a href={`#/tasks/${enc(task)}`}>answer it</a>
        </p>
      )}
      {final?.result && <p class="answer">{final.result}</p>}
      {final?.error && <p class="error">{final.error}</p>}
    </li>
  )
}

export function Chat() {
  const workers = useApi<Worker[]>('/v1/monitor/workers')
  const codebases = useApi<Codebase[]>('/v1/agent/codebases')
  const models = useOnlineModels()
  const [session, setSession] = useState(newSession)
  const [worker, setWorker] = useState('')
  const [model, setModel] = useState('')
  const [turns, setTurns] = useState<Turn[]>([])
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLTextAreaElement>(null)
  // Workers that serve a global codebase and are online: where a chat can run.
  const online = new Set((workers.data ?? []).filter((w) => w.is_online).map((w) => w.worker_id))
  const homes = (codebases.data ?? []).filter(
    (c) => c.global && c.worker_id && online.has(c.worker_id),
  )
  const nameOf = (id: string) => workers.data?.find((w) => w.worker_id === id)?.name ?? id
  const started = turns.length > 0

  const send = async (text: string) => {
    setBusy(true)
    const ok = await act(async () => {
      const t = await post<Task>('/v1/agent/tasks', {
        prompt: text,
        title: `Chat: ${text}`.slice(0, 120),
        codebase_id: worker ? `global-${worker}` : undefined,
        model_ref: model || undefined,
        metadata: { executor: 'llm', resume_session_id: session, source: 'chat' },
      })
      setTurns((cur) => [...cur, { prompt: text, task: t.id }])
    })
    if (!ok) setBusy(false)
    return ok
  }
  // The session lives on the worker that ran the first answer: the rest go there too.
  const answered = (t: Task) => {
    setBusy(false)
    if (!worker && t.worker_id) setWorker(t.worker_id)
    input.current?.focus()
  }
  const reset = () => {
    setSession(newSession())
    setTurns([])
    setBusy(false)
    input.current?.focus()
  }

  return (
    <Section
      title="Chat Directly"
      actions={
        started && (
          <div class="row">
            {worker && (
              <a href={`#/sessions/${enc(`global-${worker}`)}/${enc(session)}`}>Open in Sessions</a>
            )}
            <button type="button" onClick={reset}>
              New chat
            </button>
          </div>
        )
      }
    >
      <ErrorBox error={workers.error ?? codebases.error} />
      <div class="chat-settings">
        <Field label="Worker" hint={started ? 'This chat continues on it' : undefined}>
          <select
            name="worker"
            value={worker}
            disabled={started}
            onChange={(e) => setWorker((e.target as HTMLSelectElement).value)}
          >
            <option value="">Any worker</option>
            {homes.map((c) => (
              <option key={c.id} value={c.worker_id ?? ''}>
                {nameOf(c.worker_id ?? '')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Model">
          <ModelSelect
            name="model"
            models={modelsOf(models.data?.models ?? [], worker)}
            value={model}
            onChange={setModel}
          />
        </Field>
      </div>
      {!started && <Empty>Ask anything: the agent works in the worker's home directory.</Empty>}
      <ol class="feed chat" aria-live="polite">
        {turns.map((t) => [
          <li key={`${t.task}-q`} class="msg r-user">
            <div class="msg-head">
              <strong>you</strong>
            </div>
            <pre class="line">{t.prompt}</pre>
          </li>,
          <Answer key={t.task} task={t.task} onDone={answered} />,
        ])}
      </ol>
      <form
        class="chat-input"
        onSubmit={async (e) => {
          e.preventDefault()
          const box = input.current
          const text = box?.value.trim()
          if (!box || !text || busy) return
          if (await send(text)) box.value = ''
        }}
      >
        <Field label="Message" hint="Enter sends, Shift+Enter starts a new line">
          <textarea
            ref={input}
            data-autofocus
            name="message"
            rows={2}
            required
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault()
                ;(e.currentTarget as HTMLTextAreaElement).form?.requestSubmit()
              }
            }}
          />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Working…' : 'Send'}
        </button>
      </form>
    </Section>
  )
}

/**
 * The models the chat can use (of one worker, or of all): the LLM loop's, not a coding CLI's
 * (`source: cli`), since the chat talks to the loop.
 */
const modelsOf = (models: readonly OnlineModel[], worker: string) =>
  models.filter(
    (m) => m.source !== 'cli' && (!worker || m.workers.some((w) => w.worker_id === worker)),
  )
