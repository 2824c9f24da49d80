import { z } from 'zod'
import { withOriginalSettings } from './config-aliases'
import { LIMIT_NAMES, type LimitName } from './domain/limits/table'

/**
 * What wrangler binds: the Durable Object namespaces and every setting, as `npm run types`
 * generates them (src/worker-configuration.d.ts) from wrangler.toml and .dev.vars.example.
 * Settings arrive as strings; ConfigSchema below reads them. Other keys (a provider's API key
 * named by a model) are looked up by name.
 */
export interface Env extends Cloudflare.Env {
  [key: string]: unknown
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))

/** The operator's limits: a number sets a default; `{default, max}` also the most a tenant may set. */
const OperatorLimits = z
  .partialRecord(
    z.enum(LIMIT_NAMES as [LimitName, ...LimitName[]]),
    z.union([
      z.number().int().min(0),
      z.object({
        default: z.number().int().min(0).optional(),
        max: z.number().int().min(0).optional(),
      }),
    ]),
  )
  .default({})

const rateLimit = z
  .string()
  .regex(/^(0|[1-9][0-9]*\/[1-9][0-9]*)$/, 'use count/seconds, e.g. 600/60, or 0 for no limit')

/**
 * Configuration read from vars and secrets. Local plumbing (NEON_HTTP_ENDPOINT) is plain
 * configuration of the production clients: set it and the same code talks to the dev stack.
 */
const ConfigSchema = z.object({
  DATABASE_URL: optional,
  NEON_HTTP_ENDPOINT: optional.pipe(z.url().optional()),
  UPSTASH_REDIS_REST_URL: optional.pipe(z.url().optional()),
  UPSTASH_REDIS_REST_TOKEN: optional,
  AUTH_MODE: z.enum(['dev', 'production']).default('production'),
  A2A_AUTH_TOKENS: optional,
  /**
   * Another header that may carry a credential as it is (the original's `X-API-Key`); the
   * `Authorization: Bearer` header always works.
   */
  A2A_AUTH_HEADER: z.string().default('Authorization'),
  /** The agent card's name, description and organisation. */
  AGENT_NAME: z.string().default('CodeTether'),
  AGENT_DESCRIPTION: z
    .string()
    .default(
      'Connects AI agents to each other, to tools and to codebases. Built-in agents answer arithmetic, text analysis, memory and media requests.',
    ),
  AGENT_ORGANIZATION: z.string().default('CodeTether'),
  /**
   * The agent card's shape for a request that names no A2A-Version: v1.0's, or the v0.3 card
   * (with the v1.0 interfaces embedded) for deployments whose clients are v0.3 SDKs, which
   * send no version when they fetch it.
   */
  AGENT_CARD_DEFAULT_VERSION: z.enum(['1.0', '0.3']).default('1.0'),
  /**
   * Trusted OIDC issuers, comma-separated (one per Keycloak realm); the first is the one
   * logins and MCP clients (/.well-known/oauth-protected-resource) are sent to.
   */
  OIDC_ISSUER: optional
    .transform((v) => v?.split(',').map((s) => s.trim()))
    .pipe(z.array(z.url()).min(1).optional()),
  OIDC_CLIENT_ID: optional,
  OIDC_CLIENT_SECRET: optional,
  /** The `aud` access tokens must carry (default: the client id). */
  OIDC_AUDIENCE: optional,
  /** A claim naming the tenant's slug; unset: the tenant bound to the token's issuer. */
  OIDC_TENANT_CLAIM: optional,
  /** Where the roles are in a token (dot path); names other than admin/member/viewer are ignored. */
  OIDC_ROLES_CLAIM: z.string().default('realm_access.roles'),
  /** The role of a signed-in person whose token names none. */
  OIDC_DEFAULT_ROLE: z.enum(['admin', 'member', 'viewer']).default('member'),
  OIDC_SCOPES: z.string().default('openid profile email'),
  /** This server's public origin, when a proxy hides it (OIDC redirect URI). */
  PUBLIC_URL: optional.pipe(z.url().optional()),
  /** Longest a login session lasts without the identity provider saying otherwise. */
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(8 * 3600),
  /** The Coordinator agent's model, `provider/model` (its key in e.g. OPENAI_API_KEY). */
  COORDINATOR_MODEL: optional,
  /** MCP servers (Streamable HTTP) whose tools the Coordinator may use, comma-separated. */
  MCP_SERVER_URLS: optional
    .transform((v) =>
      v
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url()).optional()),
  /** How long an agent's handler may take on one message before it fails. */
  AGENT_HANDLER_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(15 * 60_000)
    .default(30_000),
  /** Seconds after its last heartbeat that a registered agent leaves listings. */
  AGENT_TTL_SECONDS: z.coerce.number().int().min(5).max(86400).default(120),
  /** Seconds an unacknowledged agent message waits before it is delivered again. */
  AGENT_REDELIVER_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Requests per window, as `count/seconds` (`0` turns the limit off). */
  RATE_LIMIT_PER_PRINCIPAL: rateLimit.default('1200/60'),
  RATE_LIMIT_PER_TENANT: rateLimit.default('12000/60'),
  /** Bearer token a Prometheus scraper presents at /metrics (else an admin principal may read it). */
  METRICS_TOKEN: optional,
  DEFAULT_TENANT_ID: optional.pipe(z.uuid().optional()),
  CORS_ORIGINS: z.string().default('*'),
  /**
   * The operator's limits (src/domain/limits/table.ts) as JSON, e.g. `{"cron_jobs": 50}` or
   * `{"tasks_per_minute": {"default": 100, "max": 1000}}`.
   */
  LIMITS: optional
    .transform((v, ctx) => {
      try {
        return v ? JSON.parse(v) : {}
      } catch {
        ctx.addIssue({ code: 'custom', message: 'LIMITS must be JSON' })
        return z.NEVER
      }
    })
    .pipe(OperatorLimits),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  CODETETHER_VERSION: optional,
  /**
   * How long an open stream's place in the open-stream limits holds without renewal; it is
   * renewed every third of it. A stream whose isolate died frees its place this late. At
   * least 6 s: a place kept 2 s between streams must still be renewed before it runs out.
   */
  STREAM_LEASE_SECONDS: z.coerce.number().int().min(6).max(3600).default(90),
  /** How long a claim holds without heartbeat or output, and how often the reaper looks. */
  LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(600),
  REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * WorkerHub objects per tenant, worker streams spread over them by worker id. Changing it
   * moves workers to other hubs: their streams reconnect there (as after any deploy).
   */
  HUB_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * AgentBus objects per tenant, agents spread over them by name (events are matched to
   * subscriptions in the first). Changing it moves agents' streams to other objects: they
   * reconnect there, and what they had not acknowledged is redelivered.
   */
  BUS_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
  /** Most eligible streams of a hub one new task is offered to (docs/capacity.md). */
  OFFER_FANOUT: z.coerce.number().int().min(1).max(100_000).default(32),
  /** Days after a task finished that its output lines are kept (0: forever). */
  RETENTION_OUTPUT_DAYS: z.coerce.number().int().min(0).max(36500).default(30),
  /** Days after a task finished that its other events are kept; the final one always stays. */
  RETENTION_EVENTS_DAYS: z.coerce.number().int().min(0).max(36500).default(90),
  /** base64 of 32 random bytes: seals secrets stored in Postgres (push tokens). Enables push. */
  SECRETS_KEY: optional,
  /** A private JWK (with kid) that signs the agent card; its public half is published. */
  AGENT_CARD_SIGNING_KEY: optional,
  /**
   * Push retries: the first wait after a failure; each later one doubles, up to an hour,
   * until PUSH_RETRY_HOURS after the event.
   */
  PUSH_RETRY_BASE_MS: z.coerce.number().int().min(100).max(3600_000).default(5_000),
  PUSH_RETRY_HOURS: z.coerce
    .number()
    .min(0)
    .max(7 * 24)
    .default(24),
  /** Let push notifications go to loopback/private addresses (dev and tests only). */
  PUSH_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  /**
   * DNS-over-HTTPS JSON endpoint the outbound guard resolves names with (workerd has no
   * resolver API): a webhook's name must not lead to a private address.
   */
  DOH_URL: z.url().default('https://cloudflare-dns.com/dns-query'),
  /** Origins (scheme://host:port) outbound calls may reach although private, comma-separated. */
  OUTBOUND_ALLOW_ORIGINS: optional
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().transform((u) => new URL(u).origin))),
  LIVEKIT_URL: optional.pipe(z.url().optional()),
  LIVEKIT_API_KEY: optional,
  LIVEKIT_API_SECRET: optional,
  /** A page that joins a room given ?liveKitUrl=&token= (default: LiveKit Meet). */
  LIVEKIT_JOIN_URL: z.url().default('https://meet.livekit.io/custom'),
})

export type Config = z.infer<typeof ConfigSchema>

const cache = new WeakMap<object, Config>()

/** Parses the environment once per isolate; a bad value fails loudly, naming the variable. */
export function configOf(env: Env): Config {
  let config = cache.get(env)
  if (!config) {
    const parsed = ConfigSchema.safeParse(withOriginalSettings(env))
    if (!parsed.success) {
      const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ')
      throw new Error(`Invalid configuration: ${names}`)
    }
    config = parsed.data
    cache.set(env, config)
  }
  return config
}
