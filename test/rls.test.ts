/**
 * Tenant isolation proven below the application: direct SQL as the role the Worker uses.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type pg from 'pg'
import { asTenant, connectAsApp, createTenant, sqlState } from './helpers'

let app: pg.Client
let tenantA: string
let tenantB: string

async function seed(tenantId: string, label: string) {
  await asTenant(app, tenantId, async () => {
    await app.query(`insert into workers (tenant_id, id, name) values ($1, 'w1', $2)`, [
      tenantId,
      label,
    ])
    await app.query(
      `insert into workspaces (tenant_id, id, name, path, worker_id) values ($1, 'ws1', $2, $3, 'w1')`,
      [tenantId, label, `/src/${label}`],
    )
    await app.query(
      `insert into tasks (tenant_id, id, workspace_id, title, last_seq) values ($1, 'task1', 'ws1', $2, 1)`,
      [tenantId, label],
    )
    await app.query(
      `insert into task_events (tenant_id, task_id, seq, kind, payload) values ($1, 'task1', 1, 'status', '{}')`,
      [tenantId],
    )
    await app.query(
      `insert into api_keys (tenant_id, name, key_hash, key_prefix) values ($1, $2::text, sha256(convert_to($2::text, 'UTF8')), 'ct_x')`,
      [tenantId, label],
    )
    await app.query(
      `insert into auth_sessions (tenant_id, subject, secret_hash, expires_at) values ($1, $2, sha256(convert_to($2::text, 'UTF8')), now() + interval '1 hour')`,
      [tenantId, label],
    )
    await app.query(`insert into tenant_members (tenant_id, subject) values ($1, $2)`, [
      tenantId,
      label,
    ])
    await app.query(`insert into audit_log (tenant_id, actor, action) values ($1, $2, 'login')`, [
      tenantId,
      label,
    ])
  })
}

/** The only tables that hold no tenant's data: applied migrations and model prices. */
const PLATFORM_TABLES = ['schema_migrations', 'model_pricing']

/** Every table in public that the app role may read, with its RLS flags and policy count. */
async function appReadableTables() {
  const { rows } = await app.query<{
    name: string
    rls: boolean
    forced: boolean
    policies: number
  }>(
    `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
            (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and has_table_privilege('codetether_app', c.oid, 'select')`,
  )
  return rows
}

before(async () => {
  app = await connectAsApp()
  tenantA = await createTenant()
  tenantB = await createTenant()
  await seed(tenantA, 'alpha')
  await seed(tenantB, 'beta')
})
after(() => app.end())

describe('row-level security as the app role', () => {
  test('the app role is neither superuser nor BYPASSRLS nor a table owner', async () => {
    const { rows } = await app.query(
      `select rolsuper, rolbypassrls, current_user as me,
              (select count(*)::int from pg_tables where tableowner = current_user) as owned
         from pg_roles where rolname = current_user`,
    )
    assert.deepEqual(rows[0], {
      rolsuper: false,
      rolbypassrls: false,
      me: 'codetether_app',
      owned: 0,
    })
  })

  test('every table the app can read is a tenant table with forced RLS and a policy', async () => {
    const tables = await appReadableTables()
    const tenantTables = tables.filter((t) => !PLATFORM_TABLES.includes(t.name))
    assert.ok(tenantTables.length >= 6, `found ${tenantTables.map((t) => t.name)}`)
    for (const t of tenantTables) {
      assert.equal(t.rls && t.forced && t.policies > 0, true, `${t.name} is not protected`)
    }
  })

  test('with no tenant set, every tenant table reads 0 rows', async () => {
    for (const { name } of await appReadableTables()) {
      if (PLATFORM_TABLES.includes(name)) continue
      const { rows } = await app.query(`select count(*)::int as n from ${name}`)
      assert.equal(rows[0].n, 0, `${name} leaked rows with no tenant set`)
    }
  })

  test('an empty tenant setting also reads 0 rows', async () => {
    const rows = await asTenant(app, null, async () => {
      await app.query(`select set_config('app.tenant_id', '', true)`)
      return (await app.query('select * from tasks')).rows
    })
    assert.equal(rows.length, 0)
  })

  test('with no tenant set, inserts are refused', async () => {
    const state = await sqlState(
      app.query(`insert into workers (tenant_id, id, name) values ($1, 'w9', 'x')`, [tenantA]),
    )
    assert.equal(state, '42501') // insufficient_privilege: new row violates row-level security
  })

  test('tenant A reads only its own rows, in every table', async () => {
    await asTenant(app, tenantA, async () => {
      for (const table of [
        'workers',
        'workspaces',
        'tasks',
        'task_events',
        'api_keys',
        'auth_sessions',
        'tenant_members',
        'audit_log',
      ]) {
        const { rows } = await app.query(`select distinct tenant_id from ${table}`)
        assert.deepEqual(rows, [{ tenant_id: tenantA }], table)
      }
      const { rows } = await app.query('select id from tenants')
      assert.deepEqual(rows, [{ id: tenantA }])
    })
  })

  test("tenant A can neither update nor delete tenant B's rows", async () => {
    await asTenant(app, tenantA, async () => {
      const upd = await app.query(`update tasks set title = 'owned' where tenant_id = $1`, [
        tenantB,
      ])
      assert.equal(upd.rowCount, 0)
      const del = await app.query('delete from workspaces where tenant_id = $1', [tenantB])
      assert.equal(del.rowCount, 0)
      const tenantUpd = await app.query(`update tenants set display_name = 'x' where id = $1`, [
        tenantB,
      ])
      assert.equal(tenantUpd.rowCount, 0)
    })
    await asTenant(app, tenantB, async () => {
      const { rows } = await app.query(`select title from tasks where id = 'task1'`)
      assert.deepEqual(rows, [{ title: 'beta' }])
      const ws = await app.query('select count(*)::int as n from workspaces')
      assert.equal(ws.rows[0].n, 1)
    })
  })

  test("the task functions run under the caller's row-level security", async () => {
    const change = JSON.stringify({ state: 'canceled', only_from: ['submitted', 'working'] })
    const events = JSON.stringify([{ kind: 'status', payload: { status: { state: 'canceled' } } }])
    const call = () =>
      app.query<{ r: { task: { tenant_id: string } | null } }>(
        `select app.task_change('task1', $1::jsonb, $2::jsonb, '{}'::jsonb) as r`,
        [change, events],
      )
    // No tenant: no task to change. Tenant A: its own task1 only, though B has one too.
    assert.equal((await asTenant(app, null, call)).rows[0]?.r.task, null)
    const changed = await asTenant(app, tenantA, call)
    assert.equal(changed.rows[0]?.r.task?.tenant_id, tenantA)
    await asTenant(app, tenantB, async () => {
      const { rows } = await app.query(`select status from tasks where id = 'task1'`)
      assert.deepEqual(rows, [{ status: 'submitted' }])
    })
    // Creating a task in another tenant is refused like a plain insert.
    await asTenant(app, tenantA, async () => {
      await app.query('savepoint s')
      const planted = app.query(`select app.insert_task($1::jsonb, '[]'::jsonb)`, [
        JSON.stringify({ tenant_id: tenantB, id: 'planted' }),
      ])
      assert.equal(await sqlState(planted), '42501')
      await app.query('rollback to savepoint s')
    })
  })

  test('tenant A cannot write rows into tenant B, nor move its rows there', async () => {
    await asTenant(app, tenantA, async () => {
      await app.query('savepoint s')
      const insert = await sqlState(
        app.query(`insert into workers (tenant_id, id, name) values ($1, 'evil', 'x')`, [tenantB]),
      )
      assert.equal(insert, '42501')
      await app.query('rollback to savepoint s')
      const move = await sqlState(
        app.query(`update tasks set tenant_id = $1 where id = 'task1'`, [tenantB]),
      )
      assert.equal(move, '42501')
      await app.query('rollback to savepoint s')
    })
  })

  test("a row cannot reference another tenant's row", async () => {
    // tenant B points its own task at a workspace id that exists only in tenant A's data
    await asTenant(app, tenantA, () =>
      app.query(
        `insert into workspaces (tenant_id, id, name, path) values ($1, 'only-a', 'a', '/only/a')`,
        [tenantA],
      ),
    )
    const state = await sqlState(
      asTenant(app, tenantB, () =>
        app.query(`insert into tasks (tenant_id, id, workspace_id) values ($1, 't2', 'only-a')`, [
          tenantB,
        ]),
      ),
    )
    assert.equal(state, '23503') // foreign_key_violation
  })

  test('the app role cannot write tenants directly, nor rebind one to another issuer', async () => {
    await asTenant(app, tenantA, async () => {
      await app.query('savepoint s')
      assert.equal(await sqlState(app.query('delete from tenants')), '42501')
      await app.query('rollback to savepoint s')
      assert.equal(
        await sqlState(app.query(`insert into tenants (slug, display_name) values ('x', 'x')`)),
        '42501',
      )
      await app.query('rollback to savepoint s')
      // Creating goes through app.create_tenant (the operator's API); renaming is allowed,
      // moving the tenant to another identity provider is not.
      assert.equal(
        await sqlState(app.query(`update tenants set oidc_issuer = 'https://evil.example'`)),
        '42501',
      )
      await app.query('rollback to savepoint s')
      assert.equal(await sqlState(app.query(`update tenants set display_name = 'ok'`)), undefined)
      await app.query('rollback to savepoint s')
    })
  })

  test('the app role cannot switch RLS off, drop a policy, or change schema_migrations', async () => {
    for (const statement of [
      'alter table tasks disable row level security',
      'alter table tasks no force row level security',
      'drop policy tenant_isolation on tasks',
      `delete from schema_migrations`,
      'set role codetether_owner',
    ]) {
      const state = await sqlState(app.query(statement))
      assert.equal(state, '42501', `${statement} was allowed`)
    }
  })

  test('a tenant setting that is not a uuid fails instead of matching anything', async () => {
    const state = await sqlState(
      asTenant(app, null, async () => {
        await app.query(`select set_config('app.tenant_id', 'not-a-uuid', true)`)
        return app.query('select * from tasks')
      }),
    )
    assert.equal(state, '22P02') // invalid_text_representation
  })
})
