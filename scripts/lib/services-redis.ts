// A throwaway redis-server (from PATH) with tight limits, for the tests and `npm run demo`: its own port, temp dir and
// config, no persistence unless asked. The machine's shared Redis on 6379 is never touched.
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {type Child, freePort, makeTempDir, removeDir, spawnServer, stopChild, waitUntil} from './services-common.js'

export interface RedisServiceOptions {
  /** `maxclients`; 20 is Heroku's mini plan. Default 20. */
  maxclients?: number
  /** `rename-command` entries: `{CONFIG: ''}` disables CONFIG as Heroku and ElastiCache do. */
  renameCommands?: Record<string, string>
  /** More redis.conf directives, by name: `{'maxmemory-policy': 'allkeys-lru', maxmemory: '64mb'}`. */
  directives?: Record<string, string>
  /** `requirepass`; the URL then carries it as `redis://:<password>@...`. */
  password?: string
  /** `bind` addresses; default `127.0.0.1`. `* -::*` listens on every address of this machine. */
  bind?: string
  /** `protected-mode`; Redis's default (yes) when not given. */
  protectedMode?: boolean
  /** `save` as redis.conf writes it (`3600 1 300 100`); default `""`: no RDB snapshots. */
  save?: string
  /** `appendonly`; default false. */
  appendonly?: boolean
}

export interface RedisService {
  url: string
  port: number
  /** The current redis-server pid (changes on restart). */
  readonly pid: number
  stop(): Promise<void>
  /**
   * Stops the server (every connection drops) and starts it again on the same port, empty. `whileDown`
   * runs in between, while nothing listens on the port: an outage of the length it takes.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>
}

/** Starts redis-server on a free 127.0.0.1 port and waits until it answers PING. */
export async function startRedis(options: RedisServiceOptions = {}): Promise<RedisService> {
  const dir = makeTempDir('tsq-redis-')
  let child: Child | null = null
  try {
    let port = 0
    // Another process may take the free port before redis binds it: try a fresh one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      try {
        child = await launch(dir, port, options)
        break
      } catch (error) {
        if (attempt >= 3) throw error
      }
    }
    const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`
    const running = (): Child => {
      if (!child) throw new Error('redis-server is not running')
      return child
    }
    return {
      url: `redis://${auth}127.0.0.1:${port}`,
      port,
      get pid() {
        return running().process.pid ?? -1
      },
      async stop() {
        if (child) await stopChild(child, 'SIGTERM')
        child = null
        removeDir(dir)
      },
      async restart(whileDown?: () => Promise<void>) {
        await stopChild(running(), 'SIGTERM')
        child = null
        try {
          await whileDown?.()
        } finally {
          child = await launch(dir, port, options)
        }
      },
    }
  } catch (error) {
    if (child) await stopChild(child, 'SIGKILL')
    removeDir(dir)
    throw error
  }
}

async function launch(dir: string, port: number, options: RedisServiceOptions): Promise<Child> {
  const conf = join(dir, 'redis.conf')
  const lines = [
    `port ${port}`, `bind ${options.bind ?? '127.0.0.1'}`, `dir ${quote(dir)}`, `save ${options.save ?? '""'}`,
    `appendonly ${options.appendonly ? 'yes' : 'no'}`, 'daemonize no',
    ...(options.protectedMode === undefined ? [] : [`protected-mode ${options.protectedMode ? 'yes' : 'no'}`]),
    `maxclients ${options.maxclients ?? 20}`,
    ...(options.password === undefined ? [] : [`requirepass ${quote(options.password)}`]),
    ...Object.entries(options.renameCommands ?? {}).map(([from, to]) => `rename-command ${from} ${quote(to)}`),
    ...Object.entries(options.directives ?? {}).map(([name, value]) => `${name} ${value}`),
  ]
  writeFileSync(conf, lines.join('\n') + '\n', {mode: 0o600})
  const log = join(dir, 'redis.log')
  const from = statSync(log, {throwIfNoEntry: false})?.size ?? 0
  const child = spawnServer('redis-server', [conf], log, {signal: 'SIGTERM', dir})
  try {
    // Ready when this launch logs so (after loading its data): no probe connection, which a test counting the
    // server's clients (the proof's sampler, during a restart) would see as an unnamed client.
    await waitUntil(async () => loggedReady(log, from), child, `redis-server on port ${port}`)
  } catch (error) {
    await stopChild(child, 'SIGKILL')
    throw error
  }
  return child
}

/** True once the server's log, from byte `from` on, says it accepts connections (Redis 5 to 8 log this line). */
function loggedReady(log: string, from: number): boolean {
  try {
    return /Ready to accept connections/.test(readFileSync(log, 'utf8').slice(from))
  } catch {
    return false
  }
}

/** A redis.conf string argument: double-quoted with backslash escapes. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, c => `\\${c}`)}"`
}
