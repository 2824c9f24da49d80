import { useState } from 'preact/hooks'
import { api, post } from '../api'
import type { Workspace as Codebase, OnlineModel, Worker, WorkspaceTriggered } from '../api-types'
import { useApi, useLiveRefresh } from '../hooks'
import { ModelSelect, useOnlineModels } from '../model-select'
import { act, Badge, Empty, ErrorBox, Field, formValues, Section } from '../ui'

function Register({ onDone }: { onDone(): void }) {
  const workers = useApi<Worker[]>('/v1/monitor/workers')
  return (
    <form
      class="grid-form"
      onSubmit={async (e) => {
        const form = e.currentTarget as HTMLFormElement
        const v = formValues(e)
        const ok = await act(
          () =>
            post('/v1/agent/codebases', {
              name: v.name,
              path: v.path,
              description: v.description || undefined,
              worker_id: v.worker_id || undefined,
            }),
          `Registered ${v.name}`,
        )
        if (ok) {
          form.reset()
          onDone()
        }
      }}
    >
      <Field label="Name">
        <input name="name" required maxLength={200} />
      </Field>
      <Field label="Path on the worker">
        <input name="path" required placeholder="/home/me/src/app" />
      </Field>
      <Field label="Description">
        <input name="description" />
      </Field>
      <Field label="Worker">
        <select name="worker_id">
          <option value="">Any worker</option>
          {(workers.data ?? []).map((w) => (
            <option key={w.worker_id} value={w.worker_id}>
              {w.name}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit">Register codebase</button>
    </form>
  )
}

function Trigger({ codebase, models }: { codebase: Codebase; models: OnlineModel[] }) {
  return (
    <form
      class="grid-form"
      aria-label={`Trigger an agent on ${codebase.name}`}
      onSubmit={async (e) => {
        const form = e.currentTarget as HTMLFormElement
        const v = formValues(e)
        const ok = await act(async () => {
          const t = await post<WorkspaceTriggered>(
            `/v1/agent/codebases/${encodeURIComponent(codebase.id)}/trigger`,
            { prompt: v.prompt, agent: v.agent || 'build', model: v.model || undefined },
          )
          if (t.task_id) location.hash = `#/tasks/${encodeURIComponent(t.task_id)}`
        }, 'Agent triggered')
        if (ok) form.reset()
      }}
    >
      <Field label="Prompt">
        <textarea name="prompt" required rows={2} />
      </Field>
      <Field label="Agent">
        <select name="agent">
          <option value="build">build</option>
          <option value="plan">plan</option>
          <option value="general">general</option>
        </select>
      </Field>
      <Field label="Model">
        <ModelSelect name="model" models={models} />
      </Field>
      <button type="submit">Trigger agent</button>
    </form>
  )
}

export function Codebases() {
  const list = useApi<Codebase[]>('/v1/agent/codebases')
  const models = useOnlineModels()
  const [open, setOpen] = useState<string | undefined>()
  useLiveRefresh(list.reload, (m) => m.metadata.kind === 'status', 1000)
  const base = (id: string) => `/v1/agent/codebases/${encodeURIComponent(id)}`
  const codebases = (list.data ?? []).filter((c) => c.id !== 'global')
  return (
    <>
      <Section title="Register a codebase">
        <Register onDone={list.reload} />
      </Section>
      <Section title="Codebases">
        <ErrorBox error={list.error} />
        {codebases.length === 0 && !list.loading && <Empty>No codebases registered.</Empty>}
        <ul class="cards">
          {codebases.map((c) => (
            <li key={c.id} class="card sub">
              <h3>
                {c.name} <Badge value={c.status} /> {c.global && <Badge value="global" />}
              </h3>
              <p class="muted small">
                <code>{c.path}</code> {c.description}
              </p>
              <div class="row">
                <button
                  type="button"
                  aria-expanded={open === c.id}
                  onClick={() => setOpen(open === c.id ? undefined : c.id)}
                >
                  Trigger agent
                </button>
                {c.global ? null : c.status === 'stopped' ? (
                  <button
                    type="button"
                    title="Hand its queued tasks out again, now and as they come"
                    onClick={() =>
                      act(() => post(`${base(c.id)}/watch/start`, {}), `Watching ${c.name}`).then(
                        list.reload,
                      )
                    }
                  >
                    Start watch
                  </button>
                ) : (
                  <button
                    type="button"
                    title="Hold its queued tasks (running ones finish; a triggered one still runs)"
                    onClick={() =>
                      act(
                        () => post(`${base(c.id)}/watch/stop`, {}),
                        `Stopped watching ${c.name}`,
                      ).then(list.reload)
                    }
                  >
                    Stop watch
                  </button>
                )}
                <a href={`#/sessions/${encodeURIComponent(c.id)}`}>Sessions</a>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    confirm(`Delete codebase ${c.name}?`) &&
                    act(() => api(base(c.id), { method: 'DELETE' }), `Deleted ${c.name}`).then(
                      list.reload,
                    )
                  }
                >
                  Delete
                </button>
              </div>
              {open === c.id && <Trigger codebase={c} models={models.data?.models ?? []} />}
            </li>
          ))}
        </ul>
      </Section>
    </>
  )
}
