import { useState } from 'preact/hooks'
import { post } from '../api'
import type { Workspace as Codebase, OnlineModel, Task } from '../api-types'
import { hashQuery, useApi, useLiveRefresh } from '../hooks'
import { ModelSelect, useOnlineModels } from '../model-select'
import { act, Badge, Empty, ErrorBox, Field, formValues, Section, Time } from '../ui'

const STATUSES = ['pending', 'running', 'needs_input', 'completed', 'failed', 'cancelled']
const OPEN = ['pending', 'running', 'needs_input']

/** What a task is called in lists: its title, else its prompt, else its id (never nothing). */
export const taskName = (t: Task) => t.title || t.prompt.slice(0, 80) || `Task ${t.id.slice(0, 8)}`

export const cancelTask = (id: string) =>
  act(() => post(`/v1/agent/tasks/${encodeURIComponent(id)}/cancel`), 'Task cancelled')
export const requeueTask = (id: string) =>
  act(() => post(`/v1/agent/tasks/${encodeURIComponent(id)}/requeue`), 'Task requeued')

function CreateTask({
  codebases,
  models,
  onDone,
}: {
  codebases: Codebase[]
  models: OnlineModel[]
  onDone(): void
}) {
  return (
    <form
      class="grid-form"
      onSubmit={async (e) => {
        const form = e.currentTarget as HTMLFormElement
        const v = formValues(e)
        let id: string | undefined
        const ok = await act(async () => {
          const t = await post<Task>('/v1/agent/tasks', {
            prompt: v.prompt,
            title: v.title || undefined,
            codebase_id: v.codebase_id || undefined,
            agent_type: v.agent_type || undefined,
            model_ref: v.model_ref || undefined,
            priority: v.priority ? Number(v.priority) : undefined,
            deadline_at: v.deadline
              ? new Date(Date.now() + Number(v.deadline) * 60_000).toISOString()
              : undefined,
          })
          id = t.id
        }, 'Task created')
        if (ok) {
          form.reset()
          onDone()
          if (id) location.hash = `#/tasks/${encodeURIComponent(id)}`
        }
      }}
    >
      <Field label="Prompt">
        <textarea name="prompt" required rows={2} />
      </Field>
      <Field label="Title">
        <input name="title" maxLength={500} />
      </Field>
      <Field label="Codebase">
        <select name="codebase_id">
          <option value="">global</option>
          {codebases.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Agent type">
        <input name="agent_type" placeholder="build" />
      </Field>
      <Field label="Model">
        <ModelSelect name="model_ref" models={models} />
      </Field>
      <Field label="Priority" hint="Higher runs first">
        <input name="priority" type="number" min="-1000" max="1000" step="1" placeholder="0" />
      </Field>
      <Field label="Deadline (minutes)" hint="Fails if no worker starts it in time">
        <input name="deadline" type="number" min="1" step="1" />
      </Field>
      <button type="submit">Create task</button>
    </form>
  )
}

export function Tasks() {
  const [status, setStatus] = useState(hashQuery().get('status') ?? '')
  const [codebase, setCodebase] = useState('')
  const q = new URLSearchParams({ limit: '100' })
  if (status) q.set('status', status)
  if (codebase) q.set('codebase_id', codebase)
  const tasks = useApi<Task[]>(`/v1/agent/tasks?${q}`)
  const codebases = useApi<Codebase[]>('/v1/agent/codebases')
  const models = useOnlineModels()
  useLiveRefresh(tasks.reload, (m) => m.metadata.kind === 'status')
  const list = tasks.data ?? []
  return (
    <>
      <Section title="Create a task">
        <CreateTask
          codebases={(codebases.data ?? []).filter((c) => c.id !== 'global')}
          models={models.data?.models ?? []}
          onDone={tasks.reload}
        />
      </Section>
      <Section
        title="Tasks"
        actions={
          <div class="row filters">
            <Field label="Status">
              <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
                <option value="">All</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s.replace('_', ' ')}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Codebase">
              <select value={codebase} onChange={(e) => setCodebase(e.currentTarget.value)}>
                <option value="">All</option>
                {(codebases.data ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        }
      >
        <ErrorBox error={tasks.error} />
        {list.length === 0 && !tasks.loading ? (
          <Empty>No tasks.</Empty>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Tasks, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Status</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Worker</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">
                      <a href={`#/tasks/${encodeURIComponent(t.id)}`}>{taskName(t)}</a>
                    </th>
                    <td>
                      <Badge value={t.status} />
                    </td>
                    <td class="num">{t.priority}</td>
                    <td>{t.worker_id ?? '–'}</td>
                    <td>
                      <Time at={t.created_at} />
                    </td>
                    <td class="row">
                      {OPEN.includes(t.status) && (
                        <button type="button" onClick={() => cancelTask(t.id).then(tasks.reload)}>
                          Cancel
                        </button>
                      )}
                      {(t.status === 'running' || t.status === 'needs_input') && (
                        <button type="button" onClick={() => requeueTask(t.id).then(tasks.reload)}>
                          Requeue
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  )
}
