// One measured run of an app directory as the proof's formation (2 web dynos × 2 processes, 2 workers):
// boot, drive a fixed HTTP load, wait for every accepted job, stop, and read what it cost.
import type pg from 'pg'
import type {AppDir} from '../../test/e2e/proof/lib/app-dir.js'
import {boot, webPorts} from '../../test/e2e/proof/lib/boot.js'
import {type LoadOptions, driveLoad, percentile} from '../../test/e2e/proof/lib/load.js'
import {CONNECTION_ERROR, TABLE, waitFinished} from '../../test/e2e/proof/lib/results.js'

export const SCALE = {web: 2, worker: 2}
export const PROCESSES = {web: 2, worker: 1}

export interface RunMetrics {
  /** Successful requests per second over the whole load. */
  rps: number
  p50: number
  p99: number
  /** Finished jobs per second, from the first job's start to the last one's finish (Postgres clock). */
  jobsPerS: number
  accepted: number
  finished: number
  /** Failed HTTP attempts plus output lines reporting a refused connection or a pool timeout. */
  errors: number
}

export async function measure(admin: pg.Client, app: AppDir, codeDir: string, ready: RegExp, prefix: string,
  load: Omit<LoadOptions, 'ports' | 'prefix'>): Promise<RunMetrics> {
  const {formation} = await boot(app, {codeDir, scale: SCALE, processes: PROCESSES, ready})
  try {
    const report = await driveLoad({...load, ports: () => webPorts(formation), prefix})
    const left = await waitFinished(admin, report.accepted, 60_000)
    const {rows} = await admin.query<{n: number, s: number | null}>(
      `SELECT count(*)::int AS n, extract(epoch FROM max(finished_at) - min(started_at))::float AS s
       FROM ${TABLE} WHERE job_id LIKE $1 AND finished_at IS NOT NULL`, [`${prefix}-%`])
    const jobs = rows[0]!
    await formation.stopAll(10_000)
    const errorLines = formation.output().filter(l => CONNECTION_ERROR.test(l)).length
    return {
      rps: report.ok / (report.elapsedMs / 1000), p50: percentile(report.latencies, 50), p99: percentile(report.latencies, 99),
      jobsPerS: jobs.s ? jobs.n / jobs.s : 0, accepted: report.accepted.length, finished: report.accepted.length - left.length,
      errors: report.failures.length + errorLines,
    }
  } finally {
    await formation.stopAll(5000)
    // Every run starts from an empty table, so GET /results costs the same for each.
    await admin.query(`TRUNCATE ${TABLE}`)
  }
}
