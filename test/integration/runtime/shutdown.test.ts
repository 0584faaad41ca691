// SIGTERM as Heroku delivers it: in-flight jobs finish within TSQ_SHUTDOWN_TIMEOUT; a job still running at
// the deadline is retried by another worker through BullMQ's stalled-job check; nothing is lost or doubled.
import {describe, expect, it} from 'vitest'
import {dynoEnv, migrate, pidOf, resultRows, uid, until, useRuntimeFixtures} from './harness.js'

const suite = useRuntimeFixtures()

/** A fresh queue and results table, and the environment of a worker dyno consuming that queue. */
function scenario(vars: Record<string, string>) {
  const id = uid()
  const queue = suite.queue(`${id}-q`)
  suite.tables.push(`${id}_results`)
  const env = (dyno: string) => dynoEnv({DYNO: `${dyno}.${id}`, TSQ_QUEUES: queue.name, EXAMPLE_TABLE: `${id}_results`, ...vars})
  migrate(env('release'))
  return {id, queue, table: `${id}_results`, env}
}

const started = (table: string, ids: string[]) => until(async () =>
  (await resultRows(suite.pool, table)).filter(r => ids.includes(r.job_id) && r.attempts >= 1).length === ids.length, 20_000, `jobs ${ids} to start`)

describe('shutdown', () => {
  it('SIGTERM while a job runs: the job completes once and the process exits 0 without hitting the timeout', async () => {
    const s = scenario({TSQ_SHUTDOWN_TIMEOUT: '15000'})
    const app = suite.start(s.env('worker'))
    await app.waitFor(/ ready /)
    await s.queue.add('example', {ms: 1500}, {jobId: 'job-1'})
    await started(s.table, ['job-1'])

    app.child.kill('SIGTERM')
    expect(await app.exited).toEqual({code: 0, signal: null})
    expect(await resultRows(suite.pool, s.table)).toMatchObject([{job_id: 'job-1', attempts: 1, completions: 1}])
    expect(app.lines.some(l => l.includes('shutdown timeout reached'))).toBe(false)
    expect(app.lines.findIndex(l => l.includes('shutting down'))).toBeLessThan(app.lines.findIndex(l => l.includes('shutdown complete')))
  })

  it('a job still running at TSQ_SHUTDOWN_TIMEOUT is retried by another worker: every job completes exactly once, none missing', async () => {
    const s = scenario({TSQ_CONCURRENCY: '3', TSQ_SHUTDOWN_TIMEOUT: '1000', EXAMPLE_JOB_MS: '200', EXAMPLE_LOCK_MS: '2000', EXAMPLE_STALLED_MS: '1000'})
    const first = suite.start(s.env('worker'))
    await first.waitFor(/ ready /)
    const ids = ['long', ...Array.from({length: 6}, (_, i) => `short-${i}`)]
    await s.queue.add('example', {ms: 4000}, {jobId: 'long'})
    await s.queue.addBulk(ids.slice(1).map(jobId => ({name: 'example', data: {}, opts: {jobId}})))
    await started(s.table, ['long'])

    first.child.kill('SIGTERM')
    expect(await first.exited).toEqual({code: 0, signal: null})
    expect(first.lines.find(l => l.includes('left to BullMQ stalled-job recovery'))).toContain(`${s.queue.name}/long`)

    const second = suite.start(s.env('worker2'))
    await until(async () => (await resultRows(suite.pool, s.table)).filter(r => r.finished_at).length === ids.length, 30_000, 'all jobs to finish')
    const rows = await resultRows(suite.pool, s.table)
    expect(rows.map(r => r.job_id).sort()).toEqual([...ids].sort())
    expect(rows.every(r => r.completions === 1)).toBe(true)
    expect(rows.find(r => r.job_id === 'long')).toMatchObject({attempts: 2, finished_by: `worker2.${s.id}:${second.pid}`})

    second.child.kill('SIGTERM')
    expect(await second.exited).toEqual({code: 0, signal: null})
  })

  it('SIGTERM sent twice to the primary and to every child, as Heroku may: running jobs complete once, each child shuts down once, the dyno exits 0', async () => {
    const s = scenario({WEB_CONCURRENCY: '2', TSQ_CONCURRENCY: '1', TSQ_SHUTDOWN_TIMEOUT: '15000'})
    const app = suite.start(s.env('worker'))
    const children = (await app.waitFor(/ ready /, 2)).map(pidOf)
    await s.queue.addBulk(['job-a', 'job-b'].map(jobId => ({name: 'example', data: {ms: 1500}, opts: {jobId}})))
    await started(s.table, ['job-a', 'job-b'])

    const signalAll = () => [app.pid, ...children].forEach(pid => process.kill(pid, 'SIGTERM'))
    signalAll()
    await new Promise(r => setTimeout(r, 200))
    signalAll()
    expect(await app.exited).toEqual({code: 0, signal: null})

    expect(await resultRows(suite.pool, s.table)).toMatchObject([{job_id: 'job-a', completions: 1}, {job_id: 'job-b', completions: 1}])
    for (const pid of children) {
      expect(app.lines.filter(l => l.includes(`[${pid}] shutting down`))).toHaveLength(1)
      expect(app.lines.filter(l => l.includes(`[${pid}] shutdown complete`))).toHaveLength(1)
      expect(app.lines.some(l => l.includes(`[${pid}] already shutting down`))).toBe(true)
    }
    expect(app.lines.filter(l => l.includes(`[${app.pid}] shutting down processes`))).toHaveLength(1)
    expect(app.lines.some(l => l.includes('restarting'))).toBe(false)
  })
})
