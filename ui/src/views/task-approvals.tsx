import { useEffect } from 'preact/hooks'
import type { TaskApproval as Approval } from '../api-types'
import { useApi } from '../hooks'
import { Badge, Section, Time } from '../ui'

/** Who allowed or refused which action of the task, and when a worker used the approval. */
export function TaskApprovals({ id, status }: { id: string; status: string }) {
  const approvals = useApi<Approval[]>(`/v1/agent/tasks/${encodeURIComponent(id)}/approvals`)
  // A decision or its use moves the task along: read again when its status changes.
  const { reload } = approvals
  useEffect(() => reload(), [status, reload])
  const rows = approvals.data ?? []
  if (rows.length === 0) return null
  return (
    <Section title="Approvals">
      <ul class="cards">
        {rows.map((a) => (
          <li key={a.id} class="card sub">
            <p>
              <Badge value={a.decision} /> <strong>{a.tool}</strong> by {a.decided_by}{' '}
              <Time at={a.decided_at} />
              {a.note && <> ({a.note})</>}
            </p>
            <pre class="tool-in">{JSON.stringify(a.input, null, 1)}</pre>
            <p>
              {a.used_at ? (
                <>
                  Used by {a.used_by} <Time at={a.used_at} />
                </>
              ) : a.decision === 'approved' ? (
                'Not used yet'
              ) : null}
            </p>
          </li>
        ))}
      </ul>
    </Section>
  )
}
