/** The browser's login: a random secret in an HttpOnly, Secure, SameSite=Lax cookie. */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

export const SESSION_COOKIE = 'ct_session'
/** Binds an authorization-code login to the browser that started it (login CSRF). */
const STATE_COOKIE = 'ct_oidc_state'

// Lax, not Strict: the identity provider's redirect back to us is a cross-site navigation,
// and the state cookie must ride along on it.
const base = { httpOnly: true, secure: true, sameSite: 'Lax' as const, path: '/' }

export function setSessionCookie(c: Context, secret: string, expiresAt: Date) {
  setCookie(c, SESSION_COOKIE, secret, { ...base, expires: expiresAt })
}

export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, base)
export const sessionCookieOf = (c: Context) => getCookie(c, SESSION_COOKIE)

export const setStateCookie = (c: Context, state: string) =>
  setCookie(c, STATE_COOKIE, state, { ...base, path: '/v1/auth', maxAge: 600 })

export function takeStateCookie(c: Context): string | undefined {
  const state = getCookie(c, STATE_COOKIE)
  deleteCookie(c, STATE_COOKIE, { ...base, path: '/v1/auth' })
  return state
}
