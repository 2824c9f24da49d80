import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { type Child, startProcess, waitUntilReady } from './proc'

export const REDIS_PACKAGE = { path: '/usr/bin/redis-server', pkg: 'redis-server' }

export interface RedisOptions {
  dir: string
  port: number
  ephemeral: boolean
}

/** redis-server on loopback only; snapshots to `dir` unless ephemeral. */
export async function startRedis(opts: RedisOptions): Promise<Child> {
  mkdirSync(opts.dir, { recursive: true })
  const child = startProcess(
    'redis',
    REDIS_PACKAGE.path,
    [
      '--port',
      String(opts.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      opts.dir,
      '--save',
      opts.ephemeral ? '' : '300 1',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { logFile: join(opts.dir, 'redis.log') },
  )
  await waitUntilReady(child, () => ping(opts.port), 15_000)
  return child
}

async function ping(port: number): Promise<boolean> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } finally {
    redis.disconnect()
  }
}
