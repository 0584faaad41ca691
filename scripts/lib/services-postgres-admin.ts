// The throwaway cluster's superuser over its Unix socket, which pg_hba trusts whatever the TCP password
// rules are: readiness, the test password, and terminating sessions for fault tests.
import pg from 'pg'

/** The superuser over the Unix socket, which pg_hba trusts whatever the TCP password rules are. */
function adminClient(socketDir: string, port: number): pg.Client {
  const client = new pg.Client({host: socketDir, port, user: 'postgres', database: 'postgres',
    connectionTimeoutMillis: 1000, application_name: 'tsq-test-services'})
  client.on('error', () => {})
  return client
}

export async function acceptsConnections(socketDir: string, port: number): Promise<boolean> {
  const client = adminClient(socketDir, port)
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export async function setPassword(socketDir: string, port: number, password: string): Promise<void> {
  const client = adminClient(socketDir, port)
  await client.connect()
  try {
    // ALTER ROLE takes no bind parameters: quote the literal (standard_conforming_strings is on).
    await client.query(`ALTER ROLE postgres PASSWORD '${password.replace(/'/g, "''")}'`)
  } finally {
    await client.end().catch(() => {})
  }
}

export async function terminateBackends(socketDir: string, port: number, filter: {applicationName?: string | RegExp} = {}): Promise<number> {
  const client = adminClient(socketDir, port)
  await client.connect()
  try {
    const {rows} = await client.query<{pid: number, application_name: string}>(
      `SELECT pid, application_name FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)
    const wanted = filter.applicationName
    const pids = rows
      .filter(r => wanted === undefined || (typeof wanted === 'string' ? r.application_name === wanted : wanted.test(r.application_name)))
      .map(r => r.pid)
    if (pids.length > 0) await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids])
    return pids.length
  } finally {
    await client.end().catch(() => {})
  }
}
