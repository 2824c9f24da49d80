/**
 * A deployment configured for the original CodeTether starts here as configured: its setting
 * names (A2A_AUTH_ENABLED, A2A_AGENT_*, KEYCLOAK_*) read as ours, and its `X-API-Key` header
 * (A2A_AUTH_HEADER) carrying a credential. One Worker started with only the original's names.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { withOriginalSettings } from '../src/config-aliases'
import { stackVars, startTestWorker } from './helpers'

let server: Awaited<ReturnType<typeof startTestWorker>>

before(async () => {
  const { AUTH_MODE: _dev, ...vars } = stackVars()
  server = await startTestWorker('original-settings', {
    ...vars,
    A2A_AUTH_ENABLED: 'true',
    A2A_AUTH_TOKENS: 'ops:original-key-123',
    A2A_AUTH_HEADER: 'X-API-Key',
    A2A_AGENT_NAME: 'Acme Agents',
    A2A_AGENT_DESCRIPTION: 'Agents of Acme',
    A2A_AGENT_ORG: 'Acme Inc.',
    // Its clients are v0.3 SDKs, which name no version when they fetch the card.
    AGENT_CARD_DEFAULT_VERSION: '0.3',
  })
})
after(() => server?.worker.stop())

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers })

describe("the original's settings", () => {
  test('the card takes its name, description and organisation from them', async () => {
    const card = await (await get('/.well-known/agent-card.json')).json()
    assert.deepEqual(
      [card.name, card.description, card.provider.organization],
      ['Acme Agents', 'Agents of Acme', 'Acme Inc.'],
    )
  })

  test('AGENT_CARD_DEFAULT_VERSION=0.3: a fetch naming no version gets the v0.3 card', async () => {
    const card = await (await get('/.well-known/agent-card.json')).json()
    assert.equal(card.protocolVersion, '0.3.0')
    assert.equal(card.url, `${server.url}/`)
    const v1 = await (await get('/.well-known/agent-card.json', { 'A2A-Version': '1.0' })).json()
    assert.equal(v1.url, undefined)
    assert.equal(v1.supportedInterfaces[0].protocolVersion, '1.0')
  })

  test('A2A_AUTH_ENABLED=true asks for credentials; X-API-Key carries one, as Bearer does', async () => {
    assert.equal((await get('/v1/agent/tasks')).status, 401)
    assert.equal((await get('/v1/agent/tasks', { 'X-API-Key': 'original-key-123' })).status, 200)
    const bearer = { Authorization: 'Bearer original-key-123' }
    assert.equal((await get('/v1/agent/tasks', bearer)).status, 200)
    assert.equal((await get('/v1/agent/tasks', { 'X-API-Key': 'wrong' })).status, 401)
    // A browser may send it: the CORS preflight allows the header.
    const preflight = await fetch(`${server.url}/v1/agent/tasks`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-api-key',
      },
    })
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-API-Key/i)
  })

  test('Keycloak settings make the OIDC issuer; ours win; turning auth off is refused, saying how', () => {
    const kc = withOriginalSettings({
      KEYCLOAK_URL: 'https://sso.example.com/',
      KEYCLOAK_REALM: 'a2a',
      KEYCLOAK_CLIENT_ID: 'a2a-server',
      KEYCLOAK_CLIENT_SECRET: 'shh',
    })
    assert.deepEqual(
      [kc.OIDC_ISSUER, kc.OIDC_CLIENT_ID, kc.OIDC_CLIENT_SECRET],
      ['https://sso.example.com/realms/a2a', 'a2a-server', 'shh'],
    )
    const ours = withOriginalSettings({ A2A_AGENT_NAME: 'old', AGENT_NAME: 'new' })
    assert.equal(ours.AGENT_NAME, 'new')
    assert.throws(() => withOriginalSettings({ A2A_AUTH_ENABLED: 'false' }), /set AUTH_MODE=dev/)
  })
})
