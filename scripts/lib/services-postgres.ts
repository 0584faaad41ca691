// A throwaway Postgres cluster from the installed binaries with tight limits, for the tests and `npm run demo`: its
// own temp dir, port and socket dir, no durability. The machine's shared Postgres on 5432 is never touched.
import {execFileSync} from 'node:child_process'
import {chownSync, existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {type Child, freePort, guard, makeTempDir, removeDir, spawnServer, stopChild, waitUntil} from './services-common.js'
import {acceptsConnections, setPassword, terminateBackends} from './services-postgres-admin.js'

export interface PostgresServiceOptions {
  /** `max_connections`; 20 is Heroku's essential-0. Default 20. `superuser_reserved_connections` stays 3. */
  maxConnections?: number
  /** Superuser password; TCP connections then need it (scram-sha-256), else TCP is trust. */
  password?: string
}

export interface PostgresService {
  /** `postgres://postgres[:password]@127.0.0.1:<port>/postgres` (superuser). */
  url: string
  port: number
  /** The directory of the server's Unix socket (`?host=<dir>` in a URL). */
  socketDir: string
  stop(): Promise<void>
  /** Stops the cluster (every connection drops) and starts it again on the same port, data kept. */
  restart(): Promise<void>
  /** Terminates client backends (all, or those whose application_name matches); returns how many. */
  terminateBackends(filter?: {applicationName?: string | RegExp}): Promise<number>
}

/** Creates a cluster (a copy of one initdb per process), starts it on a free 127.0.0.1 port, waits until it accepts connections. */
export async function startPostgres(options: PostgresServiceOptions = {}): Promise<PostgresService> {
  const bin = postgresBinDir()
  const owner = serverOwner()
  const data = await template(bin, owner)
  const dir = makeTempDir('tsq-pg-')
  const server: Server = {bin, dir, owner, port: 0, maxConnections: options.maxConnections ?? 20}
  let child: Child | null = null
  try {
    const sockets = join(dir, 'sock')
    mkdirSync(sockets)
    if (owner) for (const d of [dir, sockets]) chownSync(d, owner.uid, owner.gid)
    // A copy of this process's initdb: much faster than an initdb per cluster.
    execFileSync('cp', ['-a', data, join(dir, 'data')])
    writeHba(server, options.password !== undefined)
    // Another process may take the free port before the postmaster binds it: try a fresh one.
    for (let attempt = 1; ; attempt++) {
      server.port = await freePort()
      try {
        child = await launch(server)
        break
      } catch (error) {
        if (attempt >= 3) throw error
      }
    }
    if (options.password !== undefined) await setPassword(sockets, server.port, options.password)
    const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}`
    const url = `postgres://postgres${auth}@127.0.0.1:${server.port}/postgres`
    const running = (): Child => {
      if (!child) throw new Error('postgres is not running')
      return child
    }
    return {
      url,
      port: server.port,
      socketDir: sockets,
      async stop() {
        // SIGINT: fast shutdown, which terminates open sessions instead of waiting for them.
        if (child) await stopChild(child, 'SIGINT')
        child = null
        removeDir(dir)
      },
      async restart() {
        await stopChild(running(), 'SIGINT')
        child = await launch(server)
      },
      terminateBackends: filter => terminateBackends(join(dir, 'sock'), server.port, filter),
    }
  } catch (error) {
    if (child) await stopChild(child, 'SIGQUIT')
    removeDir(dir)
    throw error
  }
}

interface Server {
  bin: string
  dir: string
  owner: Owner | null
  port: number
  maxConnections: number
}

/** The directory of `initdb` and `postgres`: PATH, else the newest /usr/lib/postgresql/<version>/bin (Debian and Ubuntu packages); null when neither has them. */
export function findPostgresBinDir(): string | null {
  const both = (d: string) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'))
  for (const d of (process.env.PATH ?? '').split(':')) if (d && both(d)) return d
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter(v => both(join(root, v, 'bin'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  return newest === undefined ? null : join(root, newest, 'bin')
}

function postgresBinDir(): string {
  const dir = findPostgresBinDir()
  if (dir === null) throw new Error('no Postgres server binaries: initdb and postgres are neither in PATH nor in /usr/lib/postgresql/*/bin')
  return dir
}

export interface Owner {
  uid: number
  gid: number
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` system user. */
export function serverOwner(): Owner | null {
  if (process.getuid?.() !== 0) return null
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], {encoding: 'utf8'}).trim())
  return {uid: id('-u'), gid: id('-g')}
}

function asOwner(owner: Owner | null): {uid?: number, gid?: number, env: NodeJS.ProcessEnv} {
  // C locale: English server messages ("too many clients") and no dependency on the machine's locales.
  const env = {...process.env, LC_ALL: 'C', LANG: 'C'}
  return owner ? {uid: owner.uid, gid: owner.gid, env} : {env}
}

let templateData: Promise<string> | null = null

/** A fresh cluster's data directory, made once per process (trust auth; pg_hba is rewritten per copy). */
function template(bin: string, owner: Owner | null): Promise<string> {
  templateData ??= Promise.resolve().then(() => {
    const dir = makeTempDir('tsq-pg-template-')
    guard(dir)
    if (owner) chownSync(dir, owner.uid, owner.gid)
    const data = join(dir, 'data')
    const args = ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-locale', '-E', 'UTF8', '--no-instructions']
    try {
      execFileSync(join(bin, 'initdb'), args, {...asOwner(owner), stdio: 'pipe'})
    } catch (error) {
      const stderr = (error as {stderr?: Buffer}).stderr?.toString() ?? ''
      throw new Error(`initdb failed: ${stderr.trim() || String(error)}`)
    }
    return data
  })
  return templateData
}

/** Unix-socket connections are trusted (the helper's own admin path); TCP needs the password when one is set. */
function writeHba(server: Server, password: boolean): void {
  const method = password ? 'scram-sha-256' : 'trust'
  const file = join(server.dir, 'data', 'pg_hba.conf')
  writeFileSync(file, `local all all trust\nhost all all 127.0.0.1/32 ${method}\nhost all all ::1/128 ${method}\n`)
  if (server.owner) chownSync(file, server.owner.uid, server.owner.gid)
}

async function launch(server: Server): Promise<Child> {
  const settings = {
    listen_addresses: '127.0.0.1', port: String(server.port), unix_socket_directories: join(server.dir, 'sock'),
    max_connections: String(server.maxConnections), fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off',
    shared_buffers: '16MB', wal_level: 'minimal', max_wal_senders: '0', autovacuum: 'off',
  }
  const args = ['-D', join(server.dir, 'data'), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
  const child = spawnServer(join(server.bin, 'postgres'), args, join(server.dir, 'postgres.log'),
    {signal: 'SIGQUIT', dir: server.dir}, asOwner(server.owner))
  try {
    await waitUntil(() => acceptsConnections(join(server.dir, 'sock'), server.port), child, `postgres on port ${server.port}`)
  } catch (error) {
    await stopChild(child, 'SIGQUIT')
    throw error
  }
  return child
}
