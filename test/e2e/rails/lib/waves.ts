// Load in waves until the pools are seen full, rather than for a fixed time. Each wave sends, all at once,
// `requests` GET /?ms=<holdMs> (each holds a Postgres connection of its Puma thread that long) and one
// POST /jobs per batch of `jobs` (`count` jobs that each hold a connection of their Sidekiq thread `ms`), then
// waits for every response. After each wave (and at least `minWaves`), `saturated()` decides whether to stop; at most
// `maxWaves` are sent, so a model that is wrong fails the assertions after the last wave rather than hanging.
// Every request is a fresh TCP connection (no keep-alive): Puma's processes each accept a new connection only
// while they have a free thread, so a wave spreads over every process instead of following sockets kept alive
// to one of them.
import {request} from 'node:http'

export interface WaveOptions {
  port: number
  /** Concurrent GET /?ms=holdMs per wave; at least 2 × the web threads of all processes. */
  requests: number
  holdMs: number
  /** POST /jobs per wave, one per batch: `count` jobs of `ms` each, ids `<prefix>-<wave>-<batch>-<n>`. */
  jobs: ReadonlyArray<{count: number, ms: number}>
  prefix: string
  minWaves: number
  maxWaves: number
  /** Asked after each wave from `minWaves` on: true ends the load. */
  saturated: () => boolean | Promise<boolean>
  /** Bound of each request (default 30 s). */
  requestTimeoutMs?: number
}

export interface WaveReport {
  waves: number
  /** True when `saturated()` said so; false when `maxWaves` ran out first. */
  saturated: boolean
  requests: number
  /** Failed requests: status (0 for a network error or timeout) and what came back. */
  failures: Array<{path: string, status: number, error: string}>
  /** Job ids the app accepted (202). */
  accepted: string[]
}

export async function driveWaves(o: WaveOptions): Promise<WaveReport> {
  const report: WaveReport = {waves: 0, saturated: false, requests: 0, failures: [], accepted: []}
  while (report.waves < o.maxWaves) {
    const wave = report.waves++
    const paths = [
      ...o.jobs.map((batch, b) => ({method: 'POST', path: `/jobs?count=${batch.count}&ms=${batch.ms}&id=${o.prefix}-${wave}-${b}`})),
      ...Array.from({length: o.requests}, () => ({method: 'GET', path: `/?ms=${o.holdMs}`})),
    ]
    await Promise.all(paths.map(async ({method, path}) => {
      report.requests++
      const res = await send(o.port, method, path, o.requestTimeoutMs ?? 30_000)
      if (res.status >= 200 && res.status < 300) {
        if (res.status === 202) report.accepted.push(...(JSON.parse(res.body) as {ids: string[]}).ids)
      } else {
        report.failures.push({path, status: res.status, error: res.body.slice(0, 300)})
      }
    }))
    if (report.waves >= o.minWaves && await o.saturated()) {
      report.saturated = true
      break
    }
  }
  return report
}

/** One request on its own connection; a network error or timeout is status 0 with the error's text. */
function send(port: number, method: string, path: string, timeoutMs: number): Promise<{status: number, body: string}> {
  return new Promise(resolve => {
    const req = request({host: '127.0.0.1', port, method, path, agent: false, timeout: timeoutMs}, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', error => resolve({status: 0, body: String(error)}))
    })
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)))
    req.on('error', error => resolve({status: 0, body: String(error)}))
    req.end()
  })
}
