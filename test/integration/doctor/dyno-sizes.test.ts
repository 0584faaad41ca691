// tsq:doctor in-process against the fake Platform API: a Fir app's processes follow the memory GET /dyno-sizes
// lists for its sizes, named as the source; when the list cannot be read the doctor still reports, from the
// built-in table, and warns on stderr why.
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'

const api = useFakeApi()

/** The app on Fir: web 1 × dyno-2c-4gb, worker 2 × dyno-1c-0.5gb, no WEB_CONCURRENCY. */
function firApp(): Scenario {
  const s = scenarios.herokuRedisAndPostgres()
  s.dynoSizes = 'fir'
  s.apps[0]!.generation = 'fir'
  s.apps[0]!.formation = [
    {type: 'web', quantity: 1, size: 'dyno-2c-4gb', command: 'node dist/web.js'},
    {type: 'worker', quantity: 2, size: 'dyno-1c-0.5gb', command: 'node dist/worker.js'},
  ]
  return s
}

async function doctorJson(scenario: Scenario, env: Record<string, string> = {}, before?: (f: FakeApi) => void) {
  const fake = await api.start(scenario)
  before?.(fake)
  const run = await runCommand(Doctor, ['-a', APP, '--json'], {fake, env: {NO_COLOR: '1', HEROKU_APP: undefined, ...env}, checkSentinels: true})
  return {run, report: JSON.parse(run.stdout) as DoctorReport, fake}
}

/** stderr as one line: oclif wraps warnings behind ` › `. */
const flat = (text: string) => text.replace(/\n\s*›\s+/g, ' ').replace(/\s+/g, ' ')

describe('tsq:doctor on a Fir app', () => {
  it('runs 8 processes on a dyno-2c-4gb web and 1 on a dyno-1c-0.5gb worker, each number naming GET /dyno-sizes', async () => {
    const {report, fake: f} = await doctorJson(firApp())
    expect(report.processes.map(p => [p.type, p.size, p.processesPerDyno])).toEqual([['web', 'dyno-2c-4gb', 8], ['worker', 'dyno-1c-0.5gb', 1]])
    expect(report.processes[0]!.sources.processesPerDyno).toBe("dyno size dyno-2c-4gb (the Node buildpack's WEB_CONCURRENCY: 4096 MB ÷ 512 MB = 8; GET /dyno-sizes: memory 4 GB, 2 vCPUs)")
    expect(report.processes[1]!.sources.processesPerDyno).toContain('GET /dyno-sizes: memory 0.5 GB, 1 vCPU')
    // web 1 × 8 × 5 + worker 2 × 1 × 5 = 50 on Postgres; 1 × 8 × 1 + 2 × 1 × 3 = 14 on Redis
    expect(report.resources.map(r => [r.kind, r.demand])).toEqual([['postgres', 50], ['redis', 14]])
    expect(f.requests.filter(r => r.path === '/dyno-sizes').map(r => r.method)).toEqual(['GET'])
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:doctor when GET /dyno-sizes cannot be read', () => {
  it('reports from the built-in table after a timeout, names it as the source and warns why on stderr', async () => {
    const {run, report, fake: f} = await doctorJson(scenarios.herokuRedisAndPostgres(), {TSQ_API_TIMEOUT: '1'},
      api => api.failNext({path: '/dyno-sizes', hang: true}))
    expect(report.processes[0]).toMatchObject({type: 'web', size: 'standard-2x', processesPerDyno: 2})
    expect(report.processes[0]!.sources.processesPerDyno).toContain('built-in table: memory 1 GB')
    expect(flat(run.stderr)).toContain(`Warning: Heroku's dyno sizes could not be read, so tsq's built-in table sizes the dynos: No answer from ${f.url} within 1 s (GET /dyno-sizes).`)
    expect(f.mutations()).toEqual([])
  })

  it('warns of a size neither Heroku\'s wrong-shaped answer nor the built-in table knows, assuming 1 process', async () => {
    const s = firApp()
    s.apps[0]!.formation![0]!.size = 'dyno-3c-6gb'
    const {run, report} = await doctorJson(s, {}, api => api.failNext({path: '/dyno-sizes', fault: {kind: 'raw', text: '[{"name":"dyno-3c-6gb"}]'}}))
    expect(report.processes[0]).toMatchObject({type: 'web', size: 'dyno-3c-6gb', processesPerDyno: 1})
    expect(report.checks.find(c => c.id === 'settings')).toMatchObject({status: 'warn', message: expect.stringContaining('dyno-3c-6gb is not a dyno size tsq knows')})
    expect(flat(run.stderr)).toContain('Heroku answered GET /dyno-sizes with a list of other things')
  })
})
