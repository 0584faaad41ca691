// The setting every proof file starts from: throwaway servers at Heroku's smallest limits, the example app's
// Procfile and a .env in a temp dir, tsq:setup --local run on it, the table migrated, and what tsq:doctor
// predicts for the formation of 2 web dynos × 2 processes (WEB_CONCURRENCY, app-wide as on Heroku) and
// 2 worker dynos × 1 process.
import type {DoctorReport} from '../../../../src/core/checks/doctor.js'
import {type AppDir, type CliRun, EXAMPLE_DIR, doctor, makeAppDir, predicted, runCli} from './app-dir.js'
import {migrate} from './results.js'
import {type Servers, startServers} from './servers.js'

export const FORMATION = 'web=2,worker=2'
export const SCALE = {web: 2, worker: 2}
export const PROCESSES = {web: 2, worker: 1}

export interface SetupJson {
  ok: boolean
  changes: Array<{kind: string, vars?: Record<string, string>}>
}

export interface Scenario {
  servers: Servers
  app: AppDir
  setup: CliRun<SetupJson>
  /** tsq:doctor --local for FORMATION, after setup. */
  report: DoctorReport
  /** The doctor's demand per server for FORMATION. */
  expected: {redis: number, postgres: number}
  cleanup(): Promise<void>
}

export async function exampleScenario(): Promise<Scenario> {
  const servers = await startServers({maxclients: 20, maxConnections: 20})
  const app = makeAppDir(EXAMPLE_DIR, {REDIS_URL: servers.redisUrl, DATABASE_URL: servers.databaseUrl, TSQ_QUEUES: 'default',
    WEB_CONCURRENCY: '2', TSQ_WORKER_PROCESSES: '1'})
  try {
    const setup = await runCli<SetupJson>(['tsq:setup', '--local', '--dir', app.dir])
    const report = (await doctor(app.dir, FORMATION)).json
    await migrate(EXAMPLE_DIR, app.env())
    const expected = {redis: predicted(report, 'redis'), postgres: predicted(report, 'postgres')}
    return {servers, app, setup, report, expected, async cleanup() {
      await servers.stop()
      app.remove()
    }}
  } catch (error) {
    await servers.stop()
    app.remove()
    throw error
  }
}
