import { z } from 'zod'
import type { AgentBus } from '../durable-objects/agent-bus'
import type { TaskStream } from '../durable-objects/task-stream'
import type { WorkerHub } from '../durable-objects/worker-hub'

/** What wrangler binds: Durable Object namespaces plus string vars and secrets. */
export interface Env {
  TASK_STREAM: DurableObjectNamespace<TaskStream>
  AGENT_BUS: DurableObjectNamespace<AgentBus>
  WORKER_HUB: DurableObjectNamespace<WorkerHub>
  [key: string]: unknown
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))

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
  /** The OIDC issuer MCP clients are sent to for tokens (/.well-known/oauth-protected-resource). */
  OIDC_ISSUER: optional.pipe(z.url().optional()),
  /** Bearer token a Prometheus scraper presents at /metrics (else an admin principal may read it). */
  METRICS_TOKEN: optional,
  DEFAULT_TENANT_ID: optional.pipe(z.uuid().optional()),
  CORS_ORIGINS: z.string().default('*'),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  CODETETHER_VERSION: optional,
  /** How long a claim holds without heartbeat or output, and how often the reaper looks. */
  LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(600),
  REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Days after a task finished that its output lines are kept (0: forever). */
  RETENTION_OUTPUT_DAYS: z.coerce.number().int().min(0).max(36500).default(30),
  /** Days after a task finished that its other events are kept; the final one always stays. */
  RETENTION_EVENTS_DAYS: z.coerce.number().int().min(0).max(36500).default(90),
  /** base64 of 32 random bytes: seals secrets stored in Postgres (push tokens). Enables push. */
  SECRETS_KEY: optional,
  /** A private JWK (with kid) that signs the agent card; its public half is published. */
  AGENT_CARD_SIGNING_KEY: optional,
  /** Let push notifications go to loopback/private addresses (dev and tests only). */
  PUSH_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
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
    const parsed = ConfigSchema.safeParse(env)
    if (!parsed.success) {
      const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ')
      throw new Error(`Invalid configuration: ${names}`)
    }
    config = parsed.data
    cache.set(env, config)
  }
  return config
}
