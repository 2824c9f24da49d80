import './layout.css'
import './components.css'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { authProblem, getToken, onAuthChange, setToken } from './api'
import type { AuthStatus } from './api-types'
import { useApi, useRoute, useStreamState } from './hooks'
import { startLive } from './live'
import { Field, formValues, Toasts } from './ui'
import { Activity } from './views/activity'
import { Agents } from './views/agents'
import { Approvals } from './views/approvals'
import { Chat } from './views/chat'
import { Codebases } from './views/codebases'
import { Dashboard } from './views/dashboard'
import { Intervene } from './views/intervene'
import { Sessions } from './views/sessions'
import { Settings } from './views/settings'
import { TaskDetail } from './views/task'
import { Tasks } from './views/tasks'
import { Workers } from './views/workers'

const VIEWS: { path: string; label: string }[] = [
  { path: 'dashboard', label: 'Dashboard' },
  { path: 'chat', label: 'Chat' },
  { path: 'agents', label: 'Agents' },
  { path: 'workers', label: 'Workers' },
  { path: 'codebases', label: 'Codebases' },
  { path: 'tasks', label: 'Tasks' },
  { path: 'sessions', label: 'Sessions' },
  { path: 'activity', label: 'Activity' },
  { path: 'intervene', label: 'Intervene' },
  { path: 'approvals', label: 'Approvals' },
  { path: 'settings', label: 'Settings' },
]

function View({ route }: { route: string[] }) {
  const [name, id, ...rest] = route
  switch (name) {
    case 'chat':
      return <Chat />
    case 'agents':
      return <Agents />
    case 'workers':
      return <Workers />
    case 'codebases':
      return <Codebases />
    case 'tasks':
      return id ? <TaskDetail id={decodeURIComponent(id)} /> : <Tasks />
    case 'sessions':
      return <Sessions codebase={id} session={rest[0]} />
    case 'activity':
      return <Activity />
    case 'intervene':
      return <Intervene />
    case 'approvals':
      return <Approvals />
    case 'settings':
      return <Settings />
    default:
      return <Dashboard />
  }
}

const STATE_LABEL = { open: 'Live', connecting: 'Reconnecting…', closed: 'Offline' }

function Connection() {
  const state = useStreamState()
  return (
    <p class={`conn conn-${state}`} role="status" aria-live="polite" data-state={state}>
      <span class="dot" aria-hidden="true" />
      {STATE_LABEL[state]}
    </p>
  )
}

function SignIn({ onDone }: { onDone(): void }) {
  const status = useApi<AuthStatus>('/v1/auth/status')
  const oidc = status.data?.oidc
  const loginUrl = `${(oidc?.enabled ? oidc.login_url : undefined) ?? '/v1/auth/oidc/login'}?return_to=${encodeURIComponent('/v1/monitor/')}`
  return (
    <section class="card signin" aria-labelledby="signin-h">
      <h2 id="signin-h">Sign in</h2>
      <p>{authProblem || 'Paste an API key or token.'}</p>
      {oidc?.enabled && (
        <p>
          <a class="button" href={loginUrl}>
            Log in with your identity provider
          </a>
        </p>
      )}
      <form
        onSubmit={(e) => {
          setToken(formValues(e).token?.trim() ?? '')
          onDone()
        }}
      >
        <Field
          label="Token"
          hint="Kept in this browser only (localStorage), sent as a Bearer token."
        >
          <input name="token" type="password" autoComplete="off" required />
        </Field>
        <button type="submit">Use this token</button>
      </form>
    </section>
  )
}

function App() {
  const route = useRoute()
  const [needsAuth, setNeedsAuth] = useState(false)
  const [menuOpen, setMenuOpen] = useState(false)
  useEffect(
    () =>
      onAuthChange(() => {
        setNeedsAuth(Boolean(authProblem) && !getToken())
      }),
    [],
  )
  useEffect(() => {
    const title = VIEWS.find((v) => v.path === route[0])?.label ?? 'Dashboard'
    document.title = `${title} · CodeTether Monitor`
    setMenuOpen(false)
    const main = document.getElementById('main')
    // A view that asks for the focus (the chat's message box) gets it; others start at main.
    ;(main?.querySelector<HTMLElement>('[data-autofocus]') ?? main)?.focus({ preventScroll: true })
  }, [route[0]])
  return (
    <>
      <button class="skip" type="button" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <button
          class="menu-btn"
          type="button"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <h1>
          <img src="icon.svg" alt="" width="24" height="24" /> CodeTether
        </h1>
        <Connection />
      </header>
      <nav id="nav" class={menuOpen ? 'open' : ''} aria-label="Views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.path}>
              <a href={`#/${v.path}`} aria-current={route[0] === v.path ? 'page' : undefined}>
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {needsAuth ? (
          <SignIn
            onDone={() => {
              setNeedsAuth(false)
              startLive()
            }}
          />
        ) : (
          <View route={route} />
        )}
      </main>
      <Toasts />
    </>
  )
}

const root = document.getElementById('app') as HTMLElement
root.textContent = ''
render(<App />, root)
startLive()
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => {})
}
