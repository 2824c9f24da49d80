import { b64url } from './seal'

/** SHA-256 of a string, the way every credential is stored and compared. */
export function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
}

export function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export const sha256Hex = async (text: string) => hex(await sha256(text))

/** `bytes` random bytes as base64url: secrets, states, PKCE verifiers. */
export const randomSecret = (bytes = 32) => b64url(crypto.getRandomValues(new Uint8Array(bytes)))

export const sha256Bytes = async (text: string) => new Uint8Array(await sha256(text))
