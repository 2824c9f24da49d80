import type { OnlineModel, OnlineModels } from './api-types'
import { useApi } from './hooks'

/** The models the online workers offer (GET /v1/monitor/models), for every model picker. */
export const useOnlineModels = () => useApi<OnlineModels>('/v1/monitor/models')

/** How a model is offered: its id, whether only the catalogue vouches for it, who runs it. */
const label = (m: OnlineModel) =>
  `${m.id}${m.source === 'catalogue' ? ' (catalogue)' : ''} · ${m.workers.map((w) => w.name).join(', ')}`

/**
 * A model picker: the models online workers can actually use, or none (the worker's default).
 * Only these: a task naming a model no worker has would wait for one.
 */
export function ModelSelect(props: {
  name: string
  models: readonly OnlineModel[]
  /** Controlled, when given. */
  value?: string
  onChange?(id: string): void
}) {
  const { name, models, value, onChange } = props
  return (
    <select
      name={name}
      value={value}
      onChange={onChange && ((e) => onChange((e.target as HTMLSelectElement).value))}
    >
      <option value="">Worker's default</option>
      {models.map((m) => (
        <option key={m.id} value={m.id}>
          {label(m)}
        </option>
      ))}
    </select>
  )
}
