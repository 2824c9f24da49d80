/**
 * Access tokens from the configured identity providers: signature against the issuer's
 * JWKS, algorithm pinned to what the issuer publishes, `iss`/`aud`/`exp`/`nbf` checked with
 * a small clock skew, then mapped to a tenant and roles.
 */
import { decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose'
import type { Config } from '../../env'
import { unauthorized } from '../../lib/errors'
import type { Database } from '../../storage/postgres/client'
import type { Principal } from '../principal'
import { identityOf, rolesOf } from './claims'
import { issuerOf } from './discovery'
import { tenantOf } from './tenant-binding'

const CLOCK_SKEW_SECONDS = 30

export const oidcConfigured = (config: Config): config is Config & { OIDC_ISSUER: string[] } =>
  Boolean(config.OIDC_ISSUER?.length)
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)

export async function verifyAccessToken(config: Config, token: string): Promise<JWTPayload> {
  let unverified: JWTPayload
  try {
    unverified = decodeJwt(token)
  } catch {
    throw unauthorized('Invalid token: not a JWT')
  }
  // The unverified issuer only picks which trusted issuer's keys to check against.
  const iss = unverified.iss
  if (!iss || !config.OIDC_ISSUER?.includes(iss)) {
    throw unauthorized('Invalid token: its issuer is not trusted here')
  }
  const issuer = await issuerOf(config, iss)
  try {
    const { payload } = await jwtVerify(token, issuer.keys, {
      issuer: iss,
      audience: config.OIDC_AUDIENCE ?? config.OIDC_CLIENT_ID,
      algorithms: issuer.algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'sub'],
    })
    return payload
  } catch (err) {
    throw unauthorized(`Invalid token: ${reason(err)}`)
  }
}

function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'it has expired'
  if (err instanceof errors.JWTClaimValidationFailed) {
    return err.claim === 'nbf' ? 'it is not valid yet' : `claim ${err.claim} is not acceptable`
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'its algorithm is not allowed'
  if (err instanceof errors.JWKSNoMatchingKey) return 'no published key matches it'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify'
  if (err instanceof errors.JWKSTimeout) return 'the issuer did not answer in time'
  return 'it could not be verified'
}

export async function principalOfToken(
  db: Database,
  config: Config,
  payload: JWTPayload,
): Promise<Principal> {
  const { subject, email, name } = identityOf(payload)
  return {
    kind: 'oidc',
    tenantId: await tenantOf(db, config, payload),
    subject,
    name,
    email,
    userId: subject,
    roles: rolesOf(config, payload),
    scopes: ['*'],
  }
}
