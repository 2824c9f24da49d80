/**
 * openid-client speaks only HTTPS unless told otherwise. Plain HTTP is allowed for a loopback
 * issuer alone (a provider on this machine, in tests and local development): no deployment
 * can reach one, so an `https` issuer, or a remote `http` one, never gets insecure requests.
 */
export function allowsPlainHttp(issuer: string): boolean {
  const { protocol, hostname } = new URL(issuer)
  return (
    protocol === 'http:' &&
    (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]')
  )
}
