/**
 * A fake OpenID Connect provider at the wire, laid out like a Keycloak realm
 * (`/realms/<realm>/protocol/openid-connect/...`), for tests of our OIDC support: discovery,
 * JWKS with key rotation, the token endpoint (password, refresh_token, authorization_code + PKCE
 * S256), a login-less /auth that redirects with a code, userinfo, revocation and logout. It also
 * signs arbitrary JWTs (alg none, HS256 with any secret, unpublished keys) for attack tests.
 */
import { createHash, randomBytes, randomUUID as uuid } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, jwtVerify, SignJWT } from 'jose'

export interface FakeUser {
  username: string
  password: string
  sub: string
  email?: string
  name?: string
  roles?: string[]
  claims?: Record<string, unknown>
}

export interface SignOptions {
  /** Header kid; defaults to the current key's. Pass `kid: undefined` to leave it out. */
  kid?: string
  /** Defaults to RS256; 'none' gives an unsecured JWT (empty signature). */
  alg?: string
  /** A Uint8Array is an HMAC secret (e.g. for HS256); a CryptoKey a private key. */
  key?: CryptoKey | Uint8Array
  header?: Record<string, unknown>
}

export interface FakeIdp {
  /** e.g. `http://127.0.0.1:PORT/realms/<realm>` */
  issuer: string
  clientId: string
  clientSecret: string
  /** Signs `payload` as is (no claims added) with the current key or `opts.key`. */
  sign(payload: Record<string, unknown>, opts?: SignOptions): Promise<string>
  /** A valid access token for a user, as the token endpoint issues it; `extra` overrides claims. */
  accessToken(user: FakeUser | string, extra?: Record<string, unknown>): Promise<string>
  /** Adds a new signing key and makes it current; the old ones stay published unless dropOld. */
  rotate(opts?: { dropOld?: boolean }): Promise<string>
  /** A fresh RS256 key pair that is NOT published in the JWKS (for unknown-kid tests). */
  unpublishedKey(): Promise<{ kid: string; privateKey: CryptoKey; publicKey: CryptoKey }>
  /** The current public key as JWK (for the "HS256 signed with the public key" attack). */
  publicJwk(): Promise<JsonWebKey>
  /** The current public key as SPKI PEM (the same attack, PEM flavour). */
  publicPem(): Promise<string>
  /** How many times the JWKS (`.../certs`) was fetched. */
  readonly jwksFetches: number
  /** Every request; `body` is the parsed form of a POST, `query` the query string if any. */
  requests: RecordedRequest[]
  close(): Promise<void>
}

export interface RecordedRequest {
  method: string
  path: string
  body?: Record<string, string>
  query?: Record<string, string>
}

export interface FakeIdpOptions {
  realm?: string
  clientId?: string
  clientSecret?: string
  users: FakeUser[]
  /** `aud` of access tokens; defaults to the client id. */
  audience?: string
  /** Seconds; defaults to 300 as in Keycloak. */
  accessTokenTtl?: number
  port?: number
}

type Key = Awaited<ReturnType<typeof newKey>>
interface Grant {
  username: string
  scope: string
  sid: string
  nonce?: string
}
interface PendingCode extends Grant {
  redirectUri: string
  challenge: string
  expiresAt: number
}

const REFRESH_TTL = 1800
const DEFAULT_SCOPE = 'openid profile email'
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const opaque = () => randomBytes(32).toString('base64url')

async function newKey() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = uuid()
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  }
}

export async function startFakeIdp(opts: FakeIdpOptions): Promise<FakeIdp> {
  const realm = opts.realm ?? 'test'
  const clientId = opts.clientId ?? 'codetether'
  const clientSecret = opts.clientSecret ?? 'fake-client-secret'
  const ttl = opts.accessTokenTtl ?? 300
  const base = `/realms/${realm}`
  const oidc = `${base}/protocol/openid-connect`
  let current = await newKey()
  let published: Key[] = [current]
  let jwksFetches = 0
  const requests: RecordedRequest[] = []
  const refreshTokens = new Map<string, Grant & { expiresAt: number }>()
  const codes = new Map<string, PendingCode>()
  const findUser = (username: string) => opts.users.find((u) => u.username === username)

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) oauthError(res, 500, 'server_error', String(error))
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`

  async function sign(payload: Record<string, unknown>, o: SignOptions = {}): Promise<string> {
    const alg = o.alg ?? 'RS256'
    const kid = 'kid' in o ? o.kid : current.kid
    const header = { alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }), ...o.header }
    if (alg === 'none') return `${b64url(header)}.${b64url(payload)}.`
    return new SignJWT(payload).setProtectedHeader(header).sign(o.key ?? current.privateKey)
  }

  function claims(user: FakeUser, grant: Omit<Grant, 'username'>): Record<string, unknown> {
    const iat = now()
    return {
      iss: issuer,
      sub: user.sub,
      aud: opts.audience ?? clientId,
      azp: clientId,
      exp: iat + ttl,
      iat,
      nbf: iat,
      jti: uuid(),
      typ: 'Bearer',
      sid: grant.sid,
      scope: grant.scope,
      preferred_username: user.username,
      email: user.email,
      email_verified: user.email !== undefined,
      name: user.name,
      realm_access: { roles: user.roles ?? [] },
      ...user.claims,
    }
  }

  async function issue(user: FakeUser, grant: Grant) {
    const access = claims(user, grant)
    const refreshToken = opaque()
    refreshTokens.set(refreshToken, { ...grant, expiresAt: now() + REFRESH_TTL })
    const idToken = grant.scope.split(' ').includes('openid')
      ? await sign({ ...access, aud: clientId, typ: 'ID', nonce: grant.nonce })
      : undefined
    return {
      access_token: await sign(access),
      token_type: 'Bearer',
      expires_in: ttl,
      refresh_token: refreshToken,
      refresh_expires_in: REFRESH_TTL,
      id_token: idToken,
      'not-before-policy': 0,
      session_state: grant.sid,
      scope: grant.scope,
    }
  }

  /** Client authentication by HTTP Basic (form-encoded parts) or client_id/secret in the body. */
  function clientOk(req: IncomingMessage, form: Record<string, string>): boolean {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    let id = form.client_id
    let secret = form.client_secret
    if (basic) {
      const [user = '', ...pass] = Buffer.from(basic, 'base64').toString('utf8').split(':')
      id = formDecode(user)
      secret = formDecode(pass.join(':'))
    }
    return id === clientId && secret === clientSecret
  }

  const badClient = (res: ServerResponse) =>
    oauthError(res, 401, 'invalid_client', 'Invalid client or Invalid client credentials')
  const invalidGrant = (res: ServerResponse, description: string, status = 400) =>
    oauthError(res, status, 'invalid_grant', description)

  async function token(req: IncomingMessage, res: ServerResponse, form: Record<string, string>) {
    if (!clientOk(req, form)) return badClient(res)
    if (form.grant_type === 'password') {
      const user = findUser(form.username ?? '')
      if (!user || user.password !== form.password) {
        return invalidGrant(res, 'Invalid user credentials', 401)
      }
      const scope = form.scope || DEFAULT_SCOPE
      return sendJson(res, 200, await issue(user, { username: user.username, scope, sid: uuid() }))
    }
    if (form.grant_type === 'refresh_token') {
      const grant = refreshTokens.get(form.refresh_token ?? '')
      const user = grant && findUser(grant.username)
      if (!grant || !user || grant.expiresAt < now())
        return invalidGrant(res, 'Invalid refresh token')
      const { username, scope, sid } = grant
      return sendJson(res, 200, await issue(user, { username, scope, sid }))
    }
    if (form.grant_type === 'authorization_code') {
      const code = codes.get(form.code ?? '')
      codes.delete(form.code ?? '')
      const user = code && findUser(code.username)
      if (!code || !user || code.expiresAt < now()) return invalidGrant(res, 'Code not valid')
      if (code.redirectUri !== form.redirect_uri) return invalidGrant(res, 'Incorrect redirect_uri')
      const verifier = form.code_verifier ?? ''
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return invalidGrant(res, 'PKCE verification failed: Invalid code verifier')
      }
      const { username, scope, sid, nonce } = code
      return sendJson(res, 200, await issue(user, { username, scope, sid, nonce }))
    }
    oauthError(res, 400, 'unsupported_grant_type', 'Unsupported grant_type')
  }

  function authorize(res: ServerResponse, q: Record<string, string>) {
    // Like Keycloak, a bad client or redirect_uri gets an error page, never a redirect.
    const redirectUri = q.redirect_uri
    if (q.client_id !== clientId)
      return oauthError(res, 400, 'invalid_request', 'Client not found.')
    if (!redirectUri || !URL.canParse(redirectUri))
      return oauthError(res, 400, 'invalid_request', 'Invalid redirect_uri')
    const back = (params: Record<string, string | undefined>) => {
      const url = new URL(redirectUri)
      for (const [k, v] of Object.entries({ ...params, state: q.state, iss: issuer })) {
        if (v !== undefined) url.searchParams.set(k, v)
      }
      res.writeHead(302, { location: url.toString() }).end()
    }
    const fail = (error: string, error_description: string) => back({ error, error_description })
    if (q.response_type !== 'code')
      return fail('unsupported_response_type', 'Unsupported response_type')
    if (!q.code_challenge) return fail('invalid_request', 'Missing parameter: code_challenge')
    if (q.code_challenge_method !== 'S256')
      return fail('invalid_request', 'Invalid parameter: code challenge method is not supported')
    const user = q.login_hint ? findUser(q.login_hint) : opts.users[0]
    if (!user) return fail('access_denied', 'Unknown user')
    const [code, sid, scope] = [opaque(), uuid(), q.scope || DEFAULT_SCOPE]
    const { nonce, code_challenge: challenge } = q
    const pending = { username: user.username, scope, sid, nonce, redirectUri, challenge }
    codes.set(code, { ...pending, expiresAt: now() + 60 })
    back({ code, session_state: sid })
  }

  async function userinfo(req: IncomingMessage, res: ServerResponse) {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
    try {
      const jwks = createLocalJWKSet({ keys: published.map((k) => k.jwk) })
      const { payload } = await jwtVerify(bearer, jwks, { issuer, algorithms: ['RS256'] })
      if (payload.typ !== 'Bearer') throw new Error('not an access token')
      const user = opts.users.find((u) => u.sub === payload.sub)
      if (!user) throw new Error('user not found')
      const { sub, email, name, username: preferred_username } = user
      sendJson(res, 200, { sub, email, name, preferred_username })
    } catch (error) {
      res.setHeader('www-authenticate', 'Bearer realm="fake", error="invalid_token"')
      oauthError(res, 401, 'invalid_token', String(error))
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = url.pathname
    const method = req.method ?? 'GET'
    const query = Object.fromEntries(url.searchParams)
    const body =
      method === 'POST' ? Object.fromEntries(new URLSearchParams(await readBody(req))) : undefined
    requests.push({ method, path, ...(body ? { body } : {}), ...(url.search ? { query } : {}) })
    const form = body ?? {}
    const route = `${method} ${path}`
    if (route === `GET ${base}/.well-known/openid-configuration`)
      return sendJson(res, 200, discovery(issuer))
    if (route === `GET ${oidc}/certs`) {
      jwksFetches++
      return sendJson(res, 200, { keys: published.map((k) => k.jwk) })
    }
    if (route === `POST ${oidc}/token`) return token(req, res, form)
    if (route === `GET ${oidc}/auth`) return authorize(res, query)
    if (path === `${oidc}/userinfo` && (method === 'GET' || method === 'POST'))
      return userinfo(req, res)
    if (route === `POST ${oidc}/revoke` || route === `POST ${oidc}/logout`) {
      if (!clientOk(req, form)) return badClient(res)
      const logout = path.endsWith('/logout')
      const token = logout ? form.refresh_token : form.token
      if (!token) return oauthError(res, 400, 'invalid_request', 'Missing token')
      // Revocation answers 200 even for unknown tokens (RFC 7009); Keycloak's logout does not.
      if (!refreshTokens.delete(token) && logout) return invalidGrant(res, 'Invalid refresh token')
      res.writeHead(logout ? 204 : 200).end()
      return
    }
    oauthError(res, 404, 'not_found', `no route ${route}`)
  }

  return {
    issuer,
    clientId,
    clientSecret,
    sign,
    accessToken: async (user, extra = {}) => {
      const found = typeof user === 'string' ? findUser(user) : user
      if (!found) throw new Error(`fake idp: no user ${String(user)}`)
      return sign({ ...claims(found, { scope: DEFAULT_SCOPE, sid: uuid() }), ...extra })
    },
    rotate: async ({ dropOld = false } = {}) => {
      current = await newKey()
      published = dropOld ? [current] : [...published, current]
      return current.kid
    },
    unpublishedKey: async () => {
      const { kid, privateKey, publicKey } = await newKey()
      return { kid, privateKey, publicKey }
    },
    publicJwk: async () => ({ ...current.jwk }) as JsonWebKey,
    publicPem: () => exportSPKI(current.publicKey),
    get jwksFetches() {
      return jwksFetches
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function discovery(issuer: string) {
  const oidc = `${issuer}/protocol/openid-connect`
  return {
    issuer,
    authorization_endpoint: `${oidc}/auth`,
    token_endpoint: `${oidc}/token`,
    userinfo_endpoint: `${oidc}/userinfo`,
    jwks_uri: `${oidc}/certs`,
    revocation_endpoint: `${oidc}/revoke`,
    end_session_endpoint: `${oidc}/logout`,
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    subject_types_supported: ['public'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'name', 'email', 'preferred_username'],
    authorization_response_iss_parameter_supported: true,
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** RFC 6749 §2.3.1: the parts of Basic client credentials are form-encoded. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

function oauthError(res: ServerResponse, status: number, error: string, description: string) {
  sendJson(res, status, { error, error_description: description })
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  const text = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(text)
}
