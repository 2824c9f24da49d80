import { AgentCard } from '@a2a-js/sdk'
import pkg from '../../../package.json'
import { edgeAgents } from '../../agents/registry'
import { skillsOf } from '../../agents/types'
import type { Config } from '../../env'
import type { FleetSkill } from './fleet'

const MODES = ['text/plain', 'application/json']

/**
 * The agent card (v1.0). Interfaces: JSON-RPC at `/` in 1.0 and 0.3, HTTP+JSON at /a2a/rest
 * in 1.0. Security: bearer
 * tokens, required unless the server runs in dev mode.
 */
export function buildAgentCard(
  baseUrl: string,
  config: Config,
  opts: { extended?: boolean; fleet?: FleetSkill[] } = {},
): AgentCard {
  const base = baseUrl.replace(/\/$/, '')
  const skills = [...edgeAgents.flatMap((a) => skillsOf(a)), ...(opts.fleet ?? [])].map(
    (skill) => ({
      ...skill,
      inputModes: MODES,
      outputModes: MODES,
    }),
  )
  return AgentCard.fromJSON({
    name: config.AGENT_NAME,
    description: config.AGENT_DESCRIPTION,
    version: config.CODETETHER_VERSION ?? pkg.version,
    supportedInterfaces: [
      { url: `${base}/`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `${base}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      { url: `${base}/`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    provider: { organization: config.AGENT_ORGANIZATION, url: base },
    documentationUrl: `${base}/openapi.json`,
    capabilities: {
      streaming: true,
      pushNotifications: Boolean(config.SECRETS_KEY),
      extendedAgentCard: true,
    },
    securitySchemes: {
      bearer: {
        httpAuthSecurityScheme: {
          scheme: 'bearer',
          description: 'API key, worker token or static token',
        },
      },
    },
    securityRequirements: config.AUTH_MODE === 'dev' ? [] : [{ schemes: { bearer: { list: [] } } }],
    defaultInputModes: MODES,
    defaultOutputModes: MODES,
    skills: opts.extended ? skills : skills.map(({ examples: _, ...s }) => s),
  })
}

/**
 * The card as a v0.3 client reads it, with the v1.0 interfaces embedded (what the SDK serves
 * when a request names no A2A-Version).
 */
export function legacyCardJson(card: AgentCard): Record<string, unknown> {
  const v1 = AgentCard.toJSON(card) as Record<string, unknown>
  const legacy = card.supportedInterfaces.filter((i) => i.protocolVersion === '0.3')
  const main = legacy[0]
  const cap = card.capabilities
  return {
    protocolVersion: '0.3.0',
    name: card.name,
    description: card.description,
    url: main?.url,
    preferredTransport: main?.protocolBinding ?? 'JSONRPC',
    additionalInterfaces: legacy.map((i) => ({ url: i.url, transport: i.protocolBinding })),
    version: card.version,
    provider: card.provider,
    documentationUrl: card.documentationUrl,
    capabilities: {
      streaming: cap?.streaming ?? false,
      pushNotifications: cap?.pushNotifications ?? false,
      stateTransitionHistory: true,
    },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    security: card.securityRequirements.length ? [{ bearer: [] }] : undefined,
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: card.skills.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags,
      examples: s.examples.length ? s.examples : undefined,
      inputModes: s.inputModes,
      outputModes: s.outputModes,
    })),
    supportsAuthenticatedExtendedCard: cap?.extendedAgentCard ?? false,
    signatures: v1.signatures,
    supportedInterfaces: v1.supportedInterfaces,
  }
}
