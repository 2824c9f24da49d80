import { type AgentCard, generateAgentCardSignature } from '@a2a-js/sdk'
import type { JWK } from 'jose'
import type { Config } from '../../env'

/**
 * Agent card signatures (A2A §8.4): JWS over the RFC 8785 canonical card, by the SDK, with
 * the private JWK in AGENT_CARD_SIGNING_KEY. Its public half is served at
 * /.well-known/jwks.json, which each signature names in `jku`.
 */
const parsed = new Map<string, JWK>()

function signingKey(config: Config): JWK | undefined {
  const raw = config.AGENT_CARD_SIGNING_KEY
  if (!raw) return undefined
  let key = parsed.get(raw)
  if (!key) {
    key = JSON.parse(raw) as JWK
    if (!key.d || !key.kid)
      throw new Error('AGENT_CARD_SIGNING_KEY must be a private JWK with a kid')
    parsed.set(raw, key)
  }
  return key
}

export async function signCard(
  card: AgentCard,
  config: Config,
  baseUrl: string,
): Promise<AgentCard> {
  const key = signingKey(config)
  if (!key) return card
  const alg = key.alg ?? (key.kty === 'OKP' ? 'EdDSA' : 'ES256')
  const jku = `${baseUrl.replace(/\/$/, '')}/.well-known/jwks.json`
  return generateAgentCardSignature(key, { alg, kid: key.kid, typ: 'JOSE', jku })(card)
}

/** The public keys that verify our card signatures. */
export function publicJwks(config: Config): { keys: JWK[] } {
  const key = signingKey(config)
  if (!key) return { keys: [] }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = key
  return { keys: [{ ...pub, use: 'sig' }] }
}
