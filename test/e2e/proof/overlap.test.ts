// A deploy's overlap: old and new dynos of the proof's formation run together for a few seconds, then the old
// ones get SIGTERM. tsq:doctor's restart.overlap check says, per server, whether twice the demand fits the
// limit; the servers must agree: refusals exactly where it said the doubled formation does not fit. Once
// with the pools tsq:setup chose (Postgres does not fit twice), once with the pools the check's fix names.
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import type {Dyno, Formation} from '../../helpers/formation.js'
import {EXAMPLE_DIR, type AppDir, checkStatus, doctor, makeAppDir} from './lib/app-dir.js'
import {TSQ_READY, boot, webPorts} from './lib/boot.js'
import {driveLoad} from './lib/load.js'
import {LIMIT_ERROR, waitFinished} from './lib/results.js'
import {FORMATION, PROCESSES, SCALE, type Scenario, exampleScenario} from './lib/scenario.js'
import {HARNESS_NAME} from './lib/servers.js'

let s: Scenario
const formations: Formation[] = []
const dirs: AppDir[] = []

beforeAll(async () => {
  s = await exampleScenario()
}, 120_000)

afterAll(async () => {
  await Promise.allSettled(formations.map(f => f.stopAll(5000)))
  for (const d of dirs) d.remove()
  await s?.cleanup()
}, 60_000)

type Kind = 'postgres' | 'redis'
const KINDS: Kind[] = ['postgres', 'redis']

/** The doctor's verdict per server: does twice the formation's demand exceed the limit? */
function overlapExceeds(report: DoctorReport): Record<Kind, boolean> {
  const over = (kind: Kind) => {
    const r = report.resources.find(x => x.kind === kind)!
    return 2 * r.demand > r.limit!
  }
  return {postgres: over('postgres'), redis: over('redis')}
}

/** Connections Redis refused at maxclients since it started (INFO stats); read with a short-lived client. */
async function redisRejected(): Promise<number> {
  const client = new Redis(s.servers.redisUrl, {connectionName: HARNESS_NAME})
  try {
    return Number(/rejected_connections:(\d+)/.exec(await client.info('stats'))?.[1])
  } finally {
    client.disconnect()
  }
}

/**
 * Boots the formation from `app`, starts the same formation again as new dynos under light load, lets old
 * and new overlap until every new dyno is ready or has been refused (at most 30 s), stops the old ones,
 * waits for the new ones to serve, then stops them. Returns what each server refused meanwhile (the harness
 * holds no Redis connection during it).
 */
async function deploy(app: AppDir, prefix: string): Promise<{refused: Record<Kind, number>, newReadyDuringOverlap: boolean}> {
  const rejectedBefore = await redisRejected()
  const old = await boot(app, {codeDir: EXAMPLE_DIR, scale: SCALE, processes: PROCESSES, ready: TSQ_READY, restartCrashedAfterMs: 1000})
  const formation = old.formation
  formations.push(formation)
  const load = driveLoad({ports: () => webPorts(formation), prefix, requests: 240, concurrency: 4, paceMs: 100, postEvery: 3,
    jobsPerPost: 5, jobMs: 10, retries: 100, deadlineMs: 120_000})
  const fresh = (await Promise.all(Object.entries(SCALE).map(([type, n]) => formation.scale(type, n, n + 1)))).flat()
  const linesOf = (name: string) => formation.history.filter(d => d.name === name).flatMap(d => d.lines)
  const ready = (d: Dyno) => linesOf(d.name).filter(l => TSQ_READY.test(l)).length >= PROCESSES[d.type as keyof typeof PROCESSES]
  const refused = (d: Dyno) => linesOf(d.name).some(l => LIMIT_ERROR.test(l))
  for (let i = 0; i < 300 && !fresh.every(d => ready(d) || refused(d)); i++) await new Promise(r => setTimeout(r, 100))
  const newReadyDuringOverlap = fresh.every(ready)
  await Promise.all(old.dynos.map(d => formation.stop(d.name)))
  await Promise.all(fresh.map(d => formation.waitFor(d.name, TSQ_READY, PROCESSES[d.type as keyof typeof PROCESSES], 120_000)))
  const report = await load
  expect(report.gaveUp).toBe(0)
  expect(await waitFinished(s.servers.admin, report.accepted, 120_000)).toEqual([])
  const lines = fresh.flatMap(d => linesOf(d.name))
  await formation.stopAll()
  return {
    newReadyDuringOverlap,
    refused: {
      postgres: lines.filter(l => /remaining connection slots|too many clients|Postgres refused/.test(l)).length,
      redis: (await redisRejected()) - rejectedBefore + lines.filter(l => /max number of clients/.test(l)).length,
    },
  }
}

describe('restart overlap at 20/20 limits', () => {
  it('with the pools tsq:setup chose, restart.overlap warns for Postgres only, and only Postgres refuses the new dynos until the old ones stop', async () => {
    const verdict = overlapExceeds(s.report)
    expect(verdict).toEqual({postgres: true, redis: false})
    expect(checkStatus(s.report, 'restart.overlap')).toBe('warn')
    const seen = await deploy(s.app, 'overlap-setup')
    for (const kind of KINDS) expect({kind, refused: seen.refused[kind] > 0}).toEqual({kind, refused: verdict[kind]})
    expect(seen.newReadyDuringOverlap).toBe(false)
  }, 300_000)

  it('with the pools restart.overlap\'s fix names, the doctor says ok and neither server refuses anything during the overlap', async () => {
    const fix = s.report.checks.find(c => c.id === 'restart.overlap')?.fix ?? ''
    const vars = Object.fromEntries([...(/set ((?:TSQ_\w+=\d+ ?)+) in \.env/.exec(fix)?.[1] ?? '').matchAll(/(TSQ_\w+)=(\d+)/g)].map(m => [m[1]!, m[2]!]))
    expect(Object.keys(vars)).toContain('TSQ_WEB_DB_POOL')
    const app = makeAppDir(EXAMPLE_DIR, {...s.app.env(), ...vars})
    dirs.push(app)
    const report = (await doctor(app.dir, FORMATION)).json
    expect(checkStatus(report, 'restart.overlap')).toBe('ok')
    expect(overlapExceeds(report)).toEqual({postgres: false, redis: false})
    const seen = await deploy(app, 'overlap-fixed')
    expect(seen.refused).toEqual({postgres: 0, redis: 0})
    expect(seen.newReadyDuringOverlap).toBe(true)
  }, 300_000)
})
