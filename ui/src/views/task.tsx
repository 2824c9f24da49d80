import { useEffect, useRef, useState } from 'preact/hooks'
import { post } from '../api'
import { useApi, useLiveRefresh } from '../hooks'
import { OutputLine } from '../output'
import { openStream, type StreamState } from '../sse'
import { act, Badge, Empty, ErrorBox, Field, formValues, Section, Time } from '../ui'
import { TaskApprovals } from './task-approvals'
import { PushDeliveries } from './task-push'
import { cancelTask, requeueTask, type Task } from './tasks'

interface Line {
  seq: number
  output: string
}

/** The task's output as it arrives (SSE, resumed by seq), until the task ends. */
function useOutput(id: string, onDone: () => void) {
  const [lines, setLines] = useState<Line[]>([])
  const [state, setState] = useState<StreamState>('connecting')
  const done = useRef(onDone)
  done.current = onDone
  useEffect(() => {
    setLines([])
    return openStream(`/v1/agent/tasks/${encodeURIComponent(id)}/output/stream`, {
      endOn: 'done',
      onState: setState,
      onMessage(m) {
        if (m.event === 'output') {
          const line = m.data as Line
          setLines((xs) => (xs.some((x) => x.seq === line.seq) ? xs : [...xs, line]))
        }
        if (m.event === 'done') done.current()
      },
    })
  }, [id])
  return { lines, state }
}

export function TaskDetail({ id }: { id: string }) {
  const task = useApi<Task>(`/v1/agent/tasks/${encodeURIComponent(id)}`)
  const { lines, state } = useOutput(id, task.reload)
  useLiveRefresh(task.reload, (m) => m.metadata.task_id === id && m.metadata.kind === 'status')
  const t = task.data
  const pending = t?.metadata.pending_action as
    | { tool: string; reason: string; input: unknown; key: string }
    | undefined
  const open = t && ['pending', 'running', 'needs_input'].includes(t.status)
  return (
    <>
      <p>
        <a href="#/tasks">← Tasks</a>
      </p>
      <ErrorBox error={task.error} />
      {t && (
        <Section
          title={t.title || 'Task'}
          actions={
            <div class="row">
              {open && (
                <button type="button" onClick={() => cancelTask(t.id).then(task.reload)}>
                  Cancel task
                </button>
              )}
              {(t.status === 'running' || t.status === 'needs_input') && (
                <button type="button" onClick={() => requeueTask(t.id).then(task.reload)}>
                  Requeue
                </button>
              )}
            </div>
          }
        >
          <dl class="kv">
            <dt>Status</dt>
            <dd>
              <Badge value={t.status} />
            </dd>
            <dt>Id</dt>
            <dd>
              <code>{t.id}</code>
            </dd>
            <dt>Worker</dt>
            <dd>{t.worker_id ?? '–'}</dd>
            <dt>Model</dt>
            <dd>{t.model_ref ?? '–'}</dd>
            <dt>Created</dt>
            <dd>
              <Time at={t.created_at} />
            </dd>
            <dt>Prompt</dt>
            <dd>
              <pre class="line">{t.prompt}</pre>
            </dd>
            {t.result && (
              <>
                <dt>Result</dt>
                <dd>
                  <pre class="line">{t.result}</pre>
                </dd>
              </>
            )}
            {t.error && (
              <>
                <dt>Error</dt>
                <dd class="error">{t.error}</dd>
              </>
            )}
          </dl>
          {t.status === 'needs_input' && (
            <form
              class="grid-form"
              onSubmit={async (e) => {
                const v = formValues(e)
                await act(
                  () =>
                    post('/v1/monitor/intervene', {
                      task_id: t.id,
                      message: v.message,
                      approve: pending ? v.approve === 'yes' : undefined,
                      action_key: pending?.key,
                    }),
                  'Answer sent',
                )
                task.reload()
              }}
            >
              {pending && (
                <p>
                  Waiting for approval of <strong>{pending.tool}</strong>: {pending.reason}
                </p>
              )}
              <Field label="Your answer">
                <textarea name="message" required rows={2} />
              </Field>
              {pending && (
                <Field label="Approve the action?">
                  <select name="approve">
                    <option value="yes">Approve</option>
                    <option value="no">Deny</option>
                  </select>
                </Field>
              )}
              <button type="submit">Send answer</button>
            </form>
          )}
        </Section>
      )}
      {t && <TaskApprovals id={t.id} status={t.status} />}
      <PushDeliveries id={id} />
      <Section
        title="Output"
        actions={
          <span class={`conn conn-${state}`} data-state={state}>
            {state === 'open' ? 'streaming' : state}
          </span>
        }
      >
        {lines.length === 0 ? (
          <Empty>No output yet.</Empty>
        ) : (
          <ol class="output" aria-live="polite" aria-label="Task output">
            {lines.map((l) => (
              <li key={l.seq}>
                <OutputLine text={l.output} />
              </li>
            ))}
          </ol>
        )}
      </Section>
    </>
  )
}
