/** Calls to the CodeTether REST API: the pasted token as Bearer, else the login cookie. */

const TOKEN_KEY = 'ct_token'

export const getToken = () => localStorage.getItem(TOKEN_KEY) ?? ''
export function setToken(token: string) {
  if (token) localStorage.setItem(TOKEN_KEY, token)
  else localStorage.removeItem(TOKEN_KEY)
  for (const fn of authListeners) fn()
}

/** Called when the server refuses our credentials (so the UI can ask for a token). */
const authListeners = new Set<() => void>()
export let authProblem = ''
export function onAuthChange(fn: () => void) {
  authListeners.add(fn)
  return () => authListeners.delete(fn)
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export function authHeaders(): Record<string, string> {
  const token = getToken()
  return token ? { Authorization: `Bearer ${token}` } : {}
}

export async function request(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init
  const headers: Record<string, string> = { ...authHeaders(), Accept: 'application/json' }
  if (json !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(path, {
    ...rest,
    credentials: 'same-origin',
    headers: { ...headers, ...(rest.headers as Record<string, string>) },
    body: json === undefined ? rest.body : JSON.stringify(json),
  })
  if (res.status === 401) {
    authProblem = 'The server needs credentials: paste a token or log in.'
    for (const fn of authListeners) fn()
  }
  if (!res.ok) {
    let code = 'http_error'
    let message = `${res.status} ${res.statusText}`
    try {
      const body = (await res.json()) as { error?: { code: string; message: string } }
      if (body.error) ({ code, message } = body.error)
    } catch {}
    throw new ApiError(res.status, code, message)
  }
  return res
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}) {
  const res = await request(path, init)
  return (await res.json()) as T
}

export const post = <T = unknown>(path: string, json: unknown = {}) =>
  api<T>(path, { method: 'POST', json })

/** Saves a download that needs our credentials (a plain link could not send the token). */
export async function download(path: string, filename: string) {
  const blob = await (await request(path)).blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
