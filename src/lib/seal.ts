/**
 * AES-256-GCM for secrets at rest: `v1.<iv>.<ciphertext>` in base64url. The key comes from
 * SECRETS_KEY (base64, 32 bytes); without it nothing that needs sealing is accepted.
 */
const keys = new Map<string, Promise<CryptoKey>>()

function keyOf(secretsKey: string): Promise<CryptoKey> {
  let key = keys.get(secretsKey)
  if (!key) {
    const raw = Uint8Array.from(atob(secretsKey), (c) => c.charCodeAt(0))
    if (raw.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, base64-encoded')
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
    keys.set(secretsKey, key)
  }
  return key
}

export const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))

export async function seal(secretsKey: string, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await keyOf(secretsKey),
    new TextEncoder().encode(plain),
  )
  return `v1.${b64url(iv)}.${b64url(new Uint8Array(data))}`
}

export async function unseal(secretsKey: string, sealed: string): Promise<string> {
  const [version, iv, data] = sealed.split('.')
  if (version !== 'v1' || !iv || !data) throw new Error('not a sealed value')
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromB64url(iv) },
    await keyOf(secretsKey),
    fromB64url(data),
  )
  return new TextDecoder().decode(plain)
}
