import { post } from '../api'
import type { MonitorAgent, MonitorMessage } from '../api-types'
import { hashQuery, useApi, useLiveAgents } from '../hooks'
import { act, ErrorBox, Field, formValues, Section } from '../ui'
import { Feed } from './feed'

export function Intervene() {
  const loaded = useApi<MonitorAgent[]>('/v1/monitor/agents')
  const agents = useLiveAgents() ?? loaded.data ?? []
  const history = useApi<MonitorMessage[]>('/v1/monitor/messages?type=human&limit=20')
  const preset = hashQuery().get('agent') ?? ''
  return (
    <>
      <Section title="Human intervention">
        <p class="muted">
          The message goes into the agent's inbox and reaches it live when it is connected.
        </p>
        <ErrorBox error={loaded.error} />
        <form
          class="grid-form"
          onSubmit={async (e) => {
            const form = e.currentTarget as HTMLFormElement
            const v = formValues(e)
            const ok = await act(
              () =>
                post('/v1/monitor/intervene', {
                  agent_id: v.agent_id,
                  message: v.message,
                  timestamp: new Date().toISOString(),
                }),
              `Sent to ${v.agent_id}`,
            )
            if (ok) {
              form.reset()
              history.reload()
            }
          }}
        >
          <Field label="Agent">
            <select name="agent_id" required defaultValue={preset}>
              <option value="">Choose an agent…</option>
              {agents
                .filter((a) => a.kind !== 'builtin')
                .map((a) => (
                  <option key={a.name} value={a.name}>
                    {a.name} ({a.status})
                  </option>
                ))}
            </select>
          </Field>
          <Field label="Message">
            <textarea name="message" required rows={3} />
          </Field>
          <button type="submit">Send intervention</button>
        </form>
      </Section>
      <Section title="Recent interventions">
        <Feed messages={history.data ?? []} empty="None yet." />
      </Section>
    </>
  )
}
