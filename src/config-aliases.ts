/**
 * The original CodeTether's setting names, read as ours: a deployment configured for it starts
 * here as configured. Ours win when both are set. One original setting is refused rather than
 * mapped: turning authentication off is `AUTH_MODE=dev`, said explicitly.
 */
export function withOriginalSettings(env: Record<string, unknown>): Record<string, unknown> {
  const get = (k: string) =>
    typeof env[k] === 'string' && env[k] !== '' ? (env[k] as string) : undefined
  const out: Record<string, unknown> = { ...env }
  const alias = (ours: string, value: string | undefined) => {
    if (value !== undefined && get(ours) === undefined) out[ours] = value
  }
  const keycloak = get('KEYCLOAK_URL')
  const realm = get('KEYCLOAK_REALM')
  if (keycloak && realm) alias('OIDC_ISSUER', `${keycloak.replace(/\/+$/, '')}/realms/${realm}`)
  alias('OIDC_CLIENT_ID', get('KEYCLOAK_CLIENT_ID'))
  alias('OIDC_CLIENT_SECRET', get('KEYCLOAK_CLIENT_SECRET'))
  alias('AGENT_NAME', get('A2A_AGENT_NAME'))
  alias('AGENT_DESCRIPTION', get('A2A_AGENT_DESCRIPTION'))
  alias('AGENT_ORGANIZATION', get('A2A_AGENT_ORG'))
  const enabled = get('A2A_AUTH_ENABLED')?.toLowerCase()
  if (enabled === 'true' || enabled === '1') alias('AUTH_MODE', 'production')
  else if (enabled !== undefined) {
    throw new Error(
      'Invalid configuration: A2A_AUTH_ENABLED=false is not taken as it stands; set AUTH_MODE=dev to run without credentials (local use only)',
    )
  }
  return out
}
