import { useState } from 'preact/hooks'
import { api, getToken, post, setToken } from '../api'
import type { ApiKeyCreated, Budget, ApiKey as Key } from '../api-types'
import { useApi } from '../hooks'
import { startLive } from '../live'
import { act, Empty, ErrorBox, Field, formValues, Section, Time } from '../ui'
import { Limits } from './limits'

const usd = (micros: number | null) => (micros === null ? '' : String(micros / 1e6))
const micros = (v: string | undefined) => (v ? Math.round(Number(v) * 1e6) : null)

export function Settings() {
  const keys = useApi<Key[]>('/v1/auth/api-keys')
  const budget = useApi<Budget>('/v1/token-billing/budget')
  const [created, setCreated] = useState<string | undefined>()
  const [hasToken, setHasToken] = useState(Boolean(getToken()))
  return (
    <>
      <Section title="This browser">
        <p>
          {hasToken
            ? 'A token is stored in this browser.'
            : 'No token stored: using the login session.'}
        </p>
        <form
          class="row"
          onSubmit={(e) => {
            setToken(formValues(e).token?.trim() ?? '')
            setHasToken(Boolean(getToken()))
            startLive()
          }}
        >
          <Field label="Token">
            <input name="token" type="password" autoComplete="off" />
          </Field>
          <button type="submit">Save token</button>
          <button
            type="button"
            onClick={() => {
              setToken('')
              setHasToken(false)
              startLive()
            }}
          >
            Forget token
          </button>
        </form>
      </Section>
      <Section title="API keys">
        <ErrorBox error={keys.error} />
        <form
          class="row"
          onSubmit={async (e) => {
            const form = e.currentTarget as HTMLFormElement
            const v = formValues(e)
            await act(async () => {
              const k = await post<ApiKeyCreated>('/v1/auth/api-keys', {
                name: v.name,
                role: v.role,
              })
              setCreated(k.key)
              form.reset()
              keys.reload()
            })
          }}
        >
          <Field label="Name">
            <input name="name" required />
          </Field>
          <Field label="Role">
            <select name="role">
              <option value="viewer">viewer</option>
              <option value="member">member</option>
              <option value="admin">admin</option>
            </select>
          </Field>
          <button type="submit">Create key</button>
        </form>
        {created && (
          <p class="notice" role="alert">
            New key (shown once): <code>{created}</code>
          </p>
        )}
        {(keys.data ?? []).length === 0 && !keys.loading && <Empty>No API keys.</Empty>}
        <ul class="list">
          {(keys.data ?? [])
            .filter((k) => !k.revoked_at)
            .map((k) => (
              <li key={k.id}>
                <strong>{k.name}</strong> <code>{k.key_prefix}…</code> {k.role} · last used{' '}
                <Time at={k.last_used_at} />{' '}
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    act(
                      () => api(`/v1/auth/api-keys/${k.id}`, { method: 'DELETE' }),
                      'Key revoked',
                    ).then(keys.reload)
                  }
                >
                  Revoke {k.name}
                </button>
              </li>
            ))}
        </ul>
      </Section>
      <Section title="Budget">
        <ErrorBox error={budget.error} />
        {budget.data && (
          <form
            class="grid-form"
            onSubmit={async (e) => {
              const v = formValues(e)
              await act(
                () =>
                  api('/v1/token-billing/budget', {
                    method: 'PUT',
                    json: {
                      monthly_budget_micros: micros(v.budget),
                      monthly_limit_micros: micros(v.limit),
                    },
                  }),
                'Budget saved',
              )
              budget.reload()
            }}
          >
            <p>
              Spent this month: <strong>${String(budget.data.spent_this_month_usd)}</strong>
              {budget.data.over_budget && <span class="error"> (over budget)</span>}
            </p>
            <Field label="Monthly budget (USD, warns)">
              <input
                name="budget"
                type="number"
                min="0"
                step="0.01"
                defaultValue={usd(budget.data.monthly_budget_micros)}
              />
            </Field>
            <Field label="Monthly limit (USD, refuses work)">
              <input
                name="limit"
                type="number"
                min="0"
                step="0.01"
                defaultValue={usd(budget.data.monthly_limit_micros)}
              />
            </Field>
            <button type="submit">Save budget</button>
          </form>
        )}
      </Section>
      <Limits />
    </>
  )
}
