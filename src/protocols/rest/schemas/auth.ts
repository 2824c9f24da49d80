import { z } from '@hono/zod-openapi'
import { PRINCIPAL_KINDS, ROLES } from '../../../auth/principal'

const Roles = z.enum(ROLES)
const PrincipalKinds = z.enum(PRINCIPAL_KINDS)

/** GET /v1/auth/status: which ways of logging in this server takes. */
export const AuthStatus = z
  .object({
    mode: z.enum(['dev', 'production']),
    oidc: z.discriminatedUnion('enabled', [
      z.object({
        enabled: z.literal(true),
        issuers: z.array(z.string()).openapi({ description: 'The first is the one logins use' }),
        login_url: z.string(),
      }),
      z.object({ enabled: z.literal(false) }),
    ]),
    static_tokens: z.boolean(),
    api_keys: z.boolean(),
  })
  .openapi('AuthStatus')

/** A login session (`describeSession`); never its secret or the sealed refresh token. */
export const LoginSession = z
  .object({
    session_id: z.string(),
    tenant_id: z.string(),
    user_id: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    // Stored as text[]: the roles the login had, as the database returns them.
    roles: z.array(z.string()),
    device_id: z.string().nullable(),
    device_name: z.string().nullable(),
    device_type: z.string().nullable(),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime(),
    expires_at: z.iso.datetime(),
  })
  .openapi('LoginSession')

/** Who the caller is, as the request's principal says. */
export const AuthUser = z
  .object({
    sub: z.string().openapi({ description: 'The person behind the credential, else its subject' }),
    name: z.string(),
    email: z.string().nullable(),
    tenant_id: z.string(),
    roles: z.array(Roles),
    scopes: z.array(z.string()),
    auth: PrincipalKinds.openapi({ description: 'How the caller proved who it is' }),
  })
  .openapi('AuthUser')

const Tokens = {
  success: z.literal(true),
  access_token: z.string(),
  refresh_token: z.string().nullable(),
  token_type: z.literal('Bearer'),
  expires_at: z.iso.datetime(),
}

/** Who logged in, in the original CodeTether's shape (an admin's roles include `a2a-admin`). */
export const LoginUser = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    username: z.string(),
    name: z.string().nullable(),
    roles: z.array(z.string()),
  })
  .openapi('LoginUser')

export const LoginResult = z
  .object({ ...Tokens, session: LoginSession, user: LoginUser })
  .openapi('LoginResult')

export const RefreshResult = z.object(Tokens).openapi('RefreshResult')

export const SessionInfo = z
  .object({
    success: z.literal(true),
    // A union, not .nullable(): the generator drops null from a nullable component reference.
    session: z.union([LoginSession, z.null()]).openapi({
      description: 'Null when the credential is not a login session and none was named',
    }),
    user: AuthUser,
  })
  .openapi('SessionInfo')

export const LogoutResult = z
  .object({
    success: z.literal(true),
    ended: z.string().nullable().openapi({ description: 'The session ended, if there was one' }),
  })
  .openapi('LogoutResult')
