// What the example's results table says about a batch of jobs (ids with a common prefix): how many ran,
// finished, were retried (attempts > 1) and completed more than once.
import {execFile} from 'node:child_process'
import type pg from 'pg'

export const TABLE = 'tsq_example_results'

export interface BatchStats {
  rows: number
  finished: number
  /** Jobs that started more than once (a BullMQ retry after a failure, a crash or a stall). */
  retried: number
  completedTwice: number
}

export async function batchStats(admin: pg.Client, prefix: string): Promise<BatchStats> {
  const {rows} = await admin.query<BatchStats>(
    `SELECT count(*)::int AS rows, count(finished_at)::int AS finished,
       count(*) FILTER (WHERE attempts > 1)::int AS retried,
       count(*) FILTER (WHERE completions > 1)::int AS "completedTwice"
     FROM ${TABLE} WHERE job_id LIKE $1`, [`${prefix}-%`])
  return rows[0]!
}

/** Ids of the batch that have no finished row. */
export async function unfinished(admin: pg.Client, ids: readonly string[]): Promise<string[]> {
  const {rows} = await admin.query<{job_id: string}>(`SELECT job_id FROM ${TABLE} WHERE job_id = ANY($1) AND finished_at IS NOT NULL`, [ids])
  const done = new Set(rows.map(r => r.job_id))
  return ids.filter(id => !done.has(id))
}

/** Polls until every id has a finished row, or `ms` passes; returns the ids still unfinished. */
export async function waitFinished(admin: pg.Client, ids: readonly string[], ms: number): Promise<string[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const left = await unfinished(admin, ids)
    if (left.length === 0 || Date.now() > deadline) return left
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

/** Runs the release phase (`node migrate.js`) of the app in `cwd` with `env`; `signal` stops it. */
export function migrate(cwd: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['migrate.js'], {cwd, env: {PATH: process.env.PATH, ...env}, timeout: 30_000, signal},
      error => (error ? reject(error) : resolve()))
  })
}

/** A server refusing a connection at its limit (Postgres, Redis), or the runtime reporting it at boot. */
export const LIMIT_ERROR = /too many clients|remaining connection slots|max number of clients|refused \d+ of the/i
/** LIMIT_ERROR, or a pool that gave up waiting for a connection. */
export const CONNECTION_ERROR = new RegExp(`${LIMIT_ERROR.source}|timeout exceeded when trying to connect|Connection terminated due to connection timeout`, 'i')
