/**
 * The media types the A2A bindings speak: `application/json`, and v1.0.1's
 * `application/a2a+json`, which the SDKs send first in Accept. Answers use the one the client
 * prefers; a client that names neither (or `*\/*`) gets plain JSON, which every version reads.
 */
export const JSON_TYPE = 'application/json'
export const A2A_JSON_TYPE = 'application/a2a+json'

/** A Content-Type or Accept entry's media type: lower case, without parameters. */
const mediaTypeOf = (value: string | undefined) =>
  (value ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''

/** Whether a request body's declared type is one the bindings read (undeclared counts). */
export const readableBody = (contentType: string | undefined) =>
  ['', JSON_TYPE, A2A_JSON_TYPE].includes(mediaTypeOf(contentType))

/** The type to answer in, by the request's Accept, in the client's order of preference. */
export function answerType(accept: string | undefined): string {
  const ranges = (accept ?? '')
    .split(',')
    .map((range) => ({
      type: mediaTypeOf(range),
      q: Number(/;\s*q=([\d.]+)/.exec(range)?.[1] ?? 1),
    }))
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q)
  for (const { type } of ranges) {
    if (type === A2A_JSON_TYPE) return A2A_JSON_TYPE
    if ([JSON_TYPE, 'application/*', '*/*'].includes(type)) return JSON_TYPE
  }
  return JSON_TYPE
}
