// Bounded HTTP load on the web dynos, round-robin like Heroku's router: POST /jobs batches with known ids,
// and GET /results and /results/<id> reads that go to Postgres. A failed request (an error, or a status
// other than 2xx/404) is recorded and, with `retries`, sent again with the same URL: an enqueue with an
// id is idempotent, so a retry never adds a job twice.
export interface LoadOptions {
  /** Ports of the web dynos now (asked for each request, so dynos may come and go). */
  ports: () => number[]
  /** Requests in all; every `postEvery`-th is a POST /jobs, the others are reads. */
  requests: number
  concurrency: number
  postEvery: number
  /** Jobs per POST (ids `<prefix>-<request>-<n>`), each working `jobMs`. */
  jobsPerPost: number
  jobMs: number
  prefix: string
  /** Times a failed request is sent again (200 ms apart); default 0. */
  retries?: number
  /** The whole run stops sending after this many ms (requests not sent are counted as `unsent`). */
  deadlineMs: number
  /** Pause of each lane between its requests, to spread the load over time; default 0. */
  paceMs?: number
  /** Counts requests as they are sent, and failed attempts, for a caller that acts part-way through. */
  progress?: {sent: number, failed?: number}
}

export interface LoadReport {
  /** Requests that finally succeeded (2xx, or 404 for a result not written yet). */
  ok: number
  /** Every failed attempt: status (0 for a network error) and the error text. */
  failures: Array<{status: number, error: string}>
  /** Requests that failed on every attempt. */
  gaveUp: number
  unsent: number
  /** Job ids the app accepted (202). */
  accepted: string[]
  /** Latency in ms of each successful request. */
  latencies: number[]
  elapsedMs: number
}

export async function driveLoad(o: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = {ok: 0, failures: [], gaveUp: 0, unsent: 0, accepted: [], latencies: [], elapsedMs: 0}
  const started = Date.now()
  const deadline = started + o.deadlineMs
  let next = 0
  let turn = 0
  const one = async (i: number) => {
    const path = i % o.postEvery === 0
      ? `/jobs?count=${o.jobsPerPost}&ms=${o.jobMs}&id=${o.prefix}-${i}`
      : i % 2 === 0 ? '/results' : `/results/${o.prefix}-${i - (i % o.postEvery)}-0`
    for (let attempt = 0; attempt <= (o.retries ?? 0); attempt++) {
      if (attempt > 0) await new Promise(resolve => setTimeout(resolve, 200))
      const ports = o.ports()
      const port = ports[turn++ % Math.max(1, ports.length)]
      const sent = Date.now()
      try {
        if (port === undefined) throw new Error('no web dyno is running')
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {method: path.startsWith('/jobs') ? 'POST' : 'GET',
          signal: AbortSignal.timeout(30_000)})
        const body = await res.text()
        if (res.ok || res.status === 404) {
          report.ok++
          report.latencies.push(Date.now() - sent)
          if (res.status === 202) report.accepted.push(...(JSON.parse(body) as {ids: string[]}).ids)
          return
        }
        report.failures.push({status: res.status, error: body.slice(0, 300)})
      } catch (error) {
        report.failures.push({status: 0, error: String((error as Error).cause ?? error).slice(0, 300)})
      }
      if (o.progress) o.progress.failed = (o.progress.failed ?? 0) + 1
      if (Date.now() > deadline) break
    }
    report.gaveUp++
  }
  const lane = async () => {
    while (next < o.requests) {
      if (Date.now() > deadline) {
        report.unsent = o.requests - next
        next = o.requests
        return
      }
      if (o.progress) o.progress.sent++
      await one(next++)
      if (o.paceMs) await new Promise(resolve => setTimeout(resolve, o.paceMs))
    }
  }
  await Promise.all(Array.from({length: o.concurrency}, lane))
  report.elapsedMs = Date.now() - started
  return report
}

/** The p-th percentile (0–100) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
