/**
 * What authentication adds to a request: GET /v1/auth/userinfo (no work besides resolving
 * the caller) with no credentials in dev mode, a static token, an OIDC JWT (JWKS cached) and
 * an API key (lookup cached), all on one Worker in the same run.
 */
import pg from 'pg'
import { startFakeIdp } from '../test/fakes/oidc-server'
import { type Figure, httpGet, measure } from './lib'
import { startMiniflare } from './miniflare'

export async function authFigures(
  dir: string,
  vars: Record<string, string>,
  appDatabaseUrl: string,
  staticAuth: Record<string, string>,
  opts: { n: number; warmup: number },
): Promise<Figure[]> {
  const idp = await startFakeIdp({
    users: [{ username: 'bench', password: 'bench', sub: 'bench', roles: ['member'] }],
  })
  const db = new pg.Client({ connectionString: appDatabaseUrl })
  await db.connect()
  const slug = `bench-${Math.random().toString(36).slice(2, 8)}`
  await db.query('select app.create_tenant($1, $1, gen_random_uuid(), $2)', [slug, idp.issuer])
  await db.end()

  const { mf, base } = await startMiniflare(dir, {
    ...vars,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
  })
  try {
    const created = await fetch(`${base}/v1/auth/api-keys`, {
      method: 'POST',
      headers: { ...staticAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', role: 'member' }),
    })
    const { key } = (await created.json()) as { key: string }
    const jwt = await idp.accessToken('bench', { exp: Math.floor(Date.now() / 1000) + 3600 })
    const url = `${base}/v1/auth/userinfo`
    const none = 'auth: none (dev mode), GET /v1/auth/userinfo'
    const figures: Figure[] = []
    figures.push(await measure(none, httpGet(url), opts))
    for (const [name, token] of [
      ['auth: static token', staticAuth.Authorization?.slice(7) ?? ''],
      ['auth: OIDC JWT, JWKS cached', jwt],
      ['auth: API key, lookup cached', key],
    ] as const) {
      figures.push(
        await measure(name, httpGet(url, { Authorization: `Bearer ${token}` }), {
          ...opts,
          vs: none,
        }),
      )
    }
    return figures
  } finally {
    await mf.dispose()
    await idp.close()
  }
}
