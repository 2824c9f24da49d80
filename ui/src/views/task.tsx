import { post } from '../api'
import type { TaskDetail as Task } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { act, Badge, ErrorBox, Field, formValues, Section, Time } from '../ui'
import { TaskApprovals } from './task-approvals'
import { TaskOutput } from './task-output'
import { PushDeliveries } from './task-push'
import { cancelTask, requeueTask } from './tasks'

export function TaskDetail({ id }: { id: string }) {
  const task = useApi<Task>(`/v1/agent/tasks/${encodeURIComponent(id)}`)
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
      <TaskOutput id={id} onDone={task.reload} />
    </>
  )
}
