/**
 * app.task_change on the columns a change may carry (migration 0026): what a change carries is
 * appended (messages), replaced by artifactId or added (artifacts) or merged (metadata); what it
 * does not carry is left exactly as it was. A slim change (0027) answers without the two
 * columns that grow with the task.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asTenant, connectAsApp, stack } from './helpers'

const message = (text: string) => ({ messageId: text, role: 'ROLE_AGENT', parts: [{ text }] })
const artifact = (id: string, text: string) => ({ artifactId: id, parts: [{ text }] })

test('a change leaves what it does not carry, and appends, replaces or merges what it does', async () => {
  const app = await connectAsApp()
  const tenantId = stack().tenantId
  const id = crypto.randomUUID()
  try {
    await asTenant(app, tenantId, () =>
      app.query(
        `insert into tasks (tenant_id, id, status, history, artifacts, metadata)
           values ($1, $2, 'working', $3, $4, '{"x": 1}')`,
        [
          tenantId,
          id,
          JSON.stringify([message('m1')]),
          JSON.stringify([artifact('a1', 'first'), artifact('a2', 'other')]),
        ],
      ),
    )
    /** Applies `change` (with one status event) and answers the task's columns after it. */
    const apply = (change: Record<string, unknown>) =>
      asTenant(app, tenantId, async () => {
        const { rows } = await app.query(
          `select app.task_change($1, $2::jsonb, $3::jsonb, '{}'::jsonb)->'task' as task`,
          [
            id,
            JSON.stringify({ only_from: ['working'], ...change }),
            JSON.stringify([{ kind: 'status', payload: {} }]),
          ],
        )
        const { history, artifacts, metadata } = rows[0].task
        return {
          history: history.map((m: { messageId: string }) => m.messageId),
          artifacts: artifacts.map((a: { artifactId: string; parts: { text: string }[] }) =>
            [a.artifactId, a.parts[0]?.text].join(':'),
          ),
          metadata,
        }
      })

    const untouched = {
      history: ['m1'],
      artifacts: ['a1:first', 'a2:other'],
      metadata: { x: 1 },
    }
    assert.deepEqual(await apply({ output_bytes: 3, output_mark: 1 }), untouched)
    assert.deepEqual(await apply({ state: 'working', status_message: null }), untouched)
    assert.deepEqual(await apply({ messages: [message('m2')] }), {
      ...untouched,
      history: ['m1', 'm2'],
    })
    assert.deepEqual(
      await apply({ artifacts: [artifact('a1', 'replaced'), artifact('a3', 'new')] }),
      {
        history: ['m1', 'm2'],
        artifacts: ['a2:other', 'a1:replaced', 'a3:new'],
        metadata: { x: 1 },
      },
    )
    assert.deepEqual(await apply({ metadata: { y: 2 } }), {
      history: ['m1', 'm2'],
      artifacts: ['a2:other', 'a1:replaced', 'a3:new'],
      metadata: { x: 1, y: 2 },
    })
    // Asked for slim, the answer leaves out history and artifacts; the row keeps both.
    const slim = await asTenant(app, tenantId, async () => {
      const { rows } = await app.query(
        `select app.task_change($1, $2::jsonb, '[{"kind": "status", "payload": {}}]'::jsonb,
                                '{}'::jsonb)->'task' as task`,
        [id, JSON.stringify({ only_from: ['working'], output_bytes: 1, slim: true })],
      )
      return rows[0].task
    })
    assert.deepEqual(
      [slim.id, slim.status, slim.history, slim.artifacts],
      [id, 'working', undefined, undefined],
    )
    assert.deepEqual(slim.metadata, { x: 1, y: 2 })
    assert.deepEqual((await apply({ output_bytes: 1 })).history, ['m1', 'm2'])
  } finally {
    await app.end()
  }
})
