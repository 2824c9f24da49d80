/** Small shared pieces: status badges, times, errors, a labelled field, notices. */
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export function Badge({ value }: { value: string }) {
  return <span class={`badge b-${value.replace(/[^a-z_-]/gi, '')}`}>{value.replace('_', ' ')}</span>
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">–</span>
  const d = new Date(at)
  return (
    <time dateTime={at} title={d.toLocaleString()}>
      {d.toLocaleTimeString()}
    </time>
  )
}

export function ErrorBox({ error }: { error: string | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label class="field">
      <span>{props.label}</span>
      {props.children}
      {props.hint && <small class="muted">{props.hint}</small>}
    </label>
  )
}

export function Section(props: {
  title: string
  children: ComponentChildren
  actions?: ComponentChildren
}) {
  const id = `h-${props.title.toLowerCase().replace(/\W+/g, '-')}`
  return (
    <section class="card" aria-labelledby={id}>
      <header class="card-head">
        <h2 id={id}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  )
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted empty">{children}</p>
}

let notify: (text: string) => void = () => {}
/** A short message read out by screen readers and shown for a few seconds. */
export const toast = (text: string) => notify(text)

export function Toasts() {
  const [items, setItems] = useState<{ id: number; text: string }[]>([])
  useEffect(() => {
    let n = 0
    notify = (text) => {
      const id = ++n
      setItems((xs) => [...xs.slice(-2), { id, text }]) // the latest three
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), 4000)
    }
  }, [])
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class="toast">
          {t.text}
        </div>
      ))}
    </div>
  )
}

/** Runs an action from a form or button: errors become a toast, success an optional one. */
export async function act(fn: () => Promise<unknown>, done?: string) {
  try {
    await fn()
    if (done) toast(done)
    return true
  } catch (err) {
    toast(`Failed: ${(err as Error).message}`)
    return false
  }
}

/** The values of a submitted form, as strings. */
export function formValues(e: Event): Record<string, string> {
  e.preventDefault()
  const form = e.currentTarget as HTMLFormElement
  return Object.fromEntries(
    [...new FormData(form).entries()].map(([k, v]) => [k, String(v)]),
  ) as Record<string, string>
}
