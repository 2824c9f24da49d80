/** Settings → Limits: every bound on the tenant, its value and maximum; admins change them. */
import { api } from '../api'
import type { TenantLimit as Limit, TenantLimits } from '../api-types'
import { useApi } from '../hooks'
import { act, ErrorBox, formValues, Section } from '../ui'

/** 1048576 bytes → "1 MiB"; other units as counts. */
function amount(n: number, unit: string): string {
  if (unit !== 'bytes') return `${n.toLocaleString()} ${unit}`
  for (const [size, name] of [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${name}`
  }
  return `${n} bytes`
}

const rate = (l: Limit) => (l.window_seconds ? ` per ${l.window_seconds} s` : '')

export function Limits() {
  const limits = useApi<TenantLimits>('/v1/limits')
  const list = limits.data?.limits ?? []
  return (
    <Section title="Limits">
      <ErrorBox error={limits.error} />
      <p class="muted">
        Past a limit the server answers 429 or 413 naming it. Admins set the tenant's own values up
        to the maximum; the operator sets the rest. An empty field is the default.
      </p>
      <form
        onSubmit={async (e) => {
          const v = formValues(e)
          const change: Record<string, number | null> = {}
          for (const l of list.filter((x) => x.editable)) {
            const given = v[l.name]?.trim() ?? ''
            const next = given === '' ? null : Number(given)
            if (next !== (l.set_by === 'tenant' ? l.value : null)) change[l.name] = next
          }
          if (!Object.keys(change).length) return
          await act(() => api('/v1/limits', { method: 'PUT', json: change }), 'Limits saved')
          limits.reload()
        }}
      >
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Limit</th>
                <th>Value</th>
                <th>Default</th>
                <th>Maximum</th>
              </tr>
            </thead>
            <tbody>
              {list.map((l) => (
                <tr key={l.name} data-limit={l.name}>
                  <td>
                    <code>{l.name}</code>
                    <br />
                    <small class="muted">{l.description}</small>
                  </td>
                  <td class="limit-value">
                    {l.editable ? (
                      <input
                        name={l.name}
                        type="number"
                        min="0"
                        max={l.max}
                        aria-label={l.name}
                        placeholder={String(l.default)}
                        defaultValue={l.set_by === 'tenant' ? String(l.value) : ''}
                      />
                    ) : null}{' '}
                    {amount(l.value, l.unit)}
                    {rate(l)}
                  </td>
                  <td>{amount(l.default, l.unit)}</td>
                  <td>{l.editable ? amount(l.max, l.unit) : 'operator'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="submit">Save limits</button>
      </form>
    </Section>
  )
}
