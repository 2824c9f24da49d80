/**
 * The Upstash Redis REST protocol, served locally in front of redis-server so that the
 * Worker's `@upstash/redis` client runs unchanged. Surface (from @upstash/redis pkg/http.ts):
 * POST / with `["CMD", ...args]` → `{result}`; POST /pipeline and /multi-exec with
 * `[[...], ...]` → `[{result}|{error}, ...]`; `Authorization: Bearer <token>`; with
 * `Upstash-Encoding: base64`, every string in a result is base64 (the client decodes them).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Server } from 'node:http'
import { Redis } from 'ioredis'
import { listen, readBody, sendJson } from './http'

type Command = [string, ...(string | number)[]]

export async function startUpstashRest(opts: {
  port: number
  redisPort: number
  token: string
}): Promise<Server & { closeRedis(): void }> {
  const redis = new Redis({ port: opts.redisPort, host: '127.0.0.1', maxRetriesPerRequest: 1 })
  redis.on('error', () => {}) // surfaced per request as {error}
  const expected = Buffer.from(`Bearer ${opts.token}`)
  const scripts = new ScriptFlags()

  const server = await listen(opts.port, async (req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '')
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      return sendJson(res, 401, { error: 'Unauthorized' })
    }
    const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64'
    const encode = (v: unknown): unknown => {
      if (Buffer.isBuffer(v)) return base64 ? v.toString('base64') : v.toString('utf8')
      if (Array.isArray(v)) return v.map(encode)
      return v
    }
    let body: unknown
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      return sendJson(res, 400, { error: 'ERR body is not JSON' })
    }
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/' || path === '') {
      if (!isCommand(body)) return sendJson(res, 400, { error: 'ERR expected ["CMD", ...args]' })
      try {
        const [cmd, ...args] = scripts.translate(body)
        return sendJson(res, 200, { result: encode(await redis.callBuffer(raw(cmd), args)) })
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message })
      }
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body) || !body.every(isCommand)) {
        return sendJson(res, 400, { error: 'ERR expected [["CMD", ...args], ...]' })
      }
      const batch = path === '/pipeline' ? redis.pipeline() : redis.multi()
      for (const command of body as Command[]) {
        const [cmd, ...args] = scripts.translate(command)
        batch.callBuffer(raw(cmd), args)
      }
      try {
        const results = (await batch.exec()) ?? []
        return sendJson(
          res,
          200,
          results.map(([err, value]) => (err ? { error: err.message } : { result: encode(value) })),
        )
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message })
      }
    }
    sendJson(res, 404, { error: `ERR unknown path ${path}` })
  })
  return Object.assign(server, { closeRedis: () => redis.disconnect() })
}

/**
 * ioredis reshapes some replies by lower-case command name (HGETALL into an object); Upstash
 * answers Redis's own reply, so commands go out in upper case, which ioredis leaves alone.
 */
const raw = (cmd: string) => cmd.toUpperCase()

function isCommand(value: unknown): value is Command {
  return (
    Array.isArray(value) &&
    typeof value[0] === 'string' &&
    value.every((v) => typeof v === 'string' || typeof v === 'number')
  )
}

/**
 * Upstash accepts Lua shebang flags that Debian's Redis 7.0 does not know (`@upstash/ratelimit`
 * sends `#!lua flags=allow-key-locking`). Such flags are dropped before the script reaches
 * redis-server, and EVALSHA of the script as the client hashed it is mapped to the hash of
 * the script as redis-server stored it, so the client's EVALSHA fast path still hits.
 */
class ScriptFlags {
  private readonly shas = new Map<string, string>()
  private static readonly UNKNOWN = /^#!lua flags=([^\n]*)/

  translate(command: Command): Command {
    const [cmd, first, ...rest] = command
    const name = cmd.toUpperCase()
    if ((name === 'EVAL' || name === 'EVAL_RO') && typeof first === 'string') {
      return [cmd, this.strip(first), ...rest]
    }
    if (
      name === 'SCRIPT' &&
      String(first).toUpperCase() === 'LOAD' &&
      typeof rest[0] === 'string'
    ) {
      return [cmd, first as string, this.strip(rest[0])]
    }
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && typeof first === 'string') {
      return [cmd, this.shas.get(first) ?? first, ...rest]
    }
    return command
  }

  private strip(script: string): string {
    const m = ScriptFlags.UNKNOWN.exec(script)
    if (!m) return script
    const kept = (m[1] ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f && f !== 'allow-key-locking')
    const stripped = script.replace(
      ScriptFlags.UNKNOWN,
      kept.length ? `#!lua flags=${kept.join(',')}` : '#!lua',
    )
    this.shas.set(sha1(script), sha1(stripped))
    return stripped
  }
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')
