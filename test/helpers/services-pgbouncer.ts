// A throwaway pgbouncer (Debian's package, installed by .ci/run) configured as the heroku/pgbouncer buildpack
// configures the one in each dyno (bin/gen-pgbouncer-conf.sh, v0.18.0): transaction pooling, default pool 1,
// reserve pool 1 (after 5 s), 100 client connections. It listens on a free 127.0.0.1 port in front of one
// database; clients are trusted (the buildpack checks scram passwords; the throwaway Postgres trusts TCP anyway).
import {execFileSync} from 'node:child_process'
import {chownSync, existsSync, writeFileSync} from 'node:fs'
import {createConnection} from 'node:net'
import {join} from 'node:path'
import {type Child, freePort, makeTempDir, removeDir, spawnServer, stopChild, waitUntil} from './services-common.js'

export interface PgbouncerOptions {
  /** The database it pools: `postgres://user@127.0.0.1:port/db` (trust auth). */
  serverUrl: string
  defaultPoolSize?: number
  reservePoolSize?: number
  maxClientConn?: number
  poolMode?: 'transaction' | 'session'
}

export interface PgbouncerService {
  /** `postgres://user@127.0.0.1:<port>/<db>`: the URL bin/start-pgbouncer would put in DATABASE_URL. */
  url: string
  stop(): Promise<void>
}

/** The pgbouncer binary: PATH, else Debian's /usr/sbin. */
export function pgbouncerBin(): string | null {
  for (const d of [...(process.env.PATH ?? '').split(':'), '/usr/sbin']) if (d && existsSync(join(d, 'pgbouncer'))) return join(d, 'pgbouncer')
  return null
}

export async function startPgbouncer(options: PgbouncerOptions): Promise<PgbouncerService> {
  const bin = pgbouncerBin()
  if (!bin) throw new Error('pgbouncer is not installed (.ci/run installs Debian\'s pgbouncer)')
  const server = new URL(options.serverUrl)
  const user = decodeURIComponent(server.username || 'postgres')
  const db = server.pathname.slice(1) || 'postgres'
  const dir = makeTempDir('tsq-pgbouncer-')
  // pgbouncer refuses to run as root: run it as the `postgres` system user, as the Postgres helper does.
  const owner = process.getuid?.() === 0 ? ownerOf('postgres') : null
  let child: Child | null = null
  try {
    writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`)
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      writeFileSync(join(dir, 'pgbouncer.ini'), ini({dir, port, user, db, server, options}))
      if (owner) for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, f), owner.uid, owner.gid)
      child = spawnServer(bin, [join(dir, 'pgbouncer.ini')], join(dir, 'stdout.log'), {signal: 'SIGINT', dir},
        owner ? {uid: owner.uid, gid: owner.gid} : {})
      try {
        await waitUntil(() => listening(port), child, `pgbouncer on port ${port}`)
        const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${db}`
        const running = child
        return {url, stop: async () => {
          await stopChild(running, 'SIGINT')
          removeDir(dir)
        }}
      } catch (error) {
        await stopChild(child, 'SIGKILL')
        child = null
        if (attempt >= 3) throw error
      }
    }
  } catch (error) {
    if (child) await stopChild(child, 'SIGKILL')
    removeDir(dir)
    throw error
  }
}

function ini(c: {dir: string, port: number, user: string, db: string, server: URL, options: PgbouncerOptions}): string {
  const o = c.options
  return [
    '[databases]',
    `${c.db} = host=${c.server.hostname} port=${c.server.port || 5432} dbname=${c.db} user=${c.user}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1', `listen_port = ${c.port}`, 'unix_socket_dir =',
    'auth_type = trust', `auth_file = ${join(c.dir, 'userlist.txt')}`,
    `pool_mode = ${o.poolMode ?? 'transaction'}`,
    `default_pool_size = ${o.defaultPoolSize ?? 1}`, `reserve_pool_size = ${o.reservePoolSize ?? 1}`, 'reserve_pool_timeout = 5.0',
    'min_pool_size = 0', `max_client_conn = ${o.maxClientConn ?? 100}`,
    'server_lifetime = 3600', 'server_idle_timeout = 600', 'query_wait_timeout = 120',
    'ignore_startup_parameters = extra_float_digits',
    `logfile = ${join(c.dir, 'pgbouncer.log')}`, `pidfile = ${join(c.dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n')
}

function ownerOf(user: string): {uid: number, gid: number} {
  const id = (flag: string): number => Number(execFileSync('id', [flag, user], {encoding: 'utf8'}).trim())
  return {uid: id('-u'), gid: id('-g')}
}

function listening(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = createConnection({host: '127.0.0.1', port})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
