// The processes per dyno of a formation follow the size's memory as Heroku lists it (GET /dyno-sizes), with the
// built-in table only where Heroku's list is missing, and every number names where it came from (spec §8, §13).
import {describe, expect, it} from 'vitest'
import {planProcesses} from '../../../../src/core/budget/budget.js'
import {builtInDynoSizes, dynoSizesFromList} from '../../../../src/core/model/dyno-sizes.js'

const LISTED = dynoSizesFromList([
  {name: 'dyno-1c-0.5gb', memory: 0.5, compute: 1}, {name: 'dyno-2c-4gb', memory: 4, compute: 2}, {name: 'dyno-16c-64gb', memory: 64, compute: 16},
  {name: 'Standard-2X', memory: 1, compute: 2},
])
const node = (type: string, size: string) => ({type, quantity: 1, size, command: `node dist/${type}.js`})

describe('planProcesses with dyno sizes', () => {
  it('derives WEB_CONCURRENCY for API-listed Fir sizes from their memory and names GET /dyno-sizes as the source', () => {
    const {processes} = planProcesses({}, [node('web', 'dyno-2c-4gb'), node('worker', 'dyno-1c-0.5gb'), node('big', 'dyno-16c-64gb')], {sizes: LISTED})
    expect(processes.map(p => [p.type, p.processesPerDyno])).toEqual([['web', 8], ['worker', 1], ['big', 32]])
    expect(processes[0]!.sources.processesPerDyno).toBe("dyno size dyno-2c-4gb (the Node buildpack's WEB_CONCURRENCY: 4096 MB ÷ 512 MB = 8; GET /dyno-sizes: memory 4 GB, 2 vCPUs)")
    expect(processes[2]!.sources.processesPerDyno).toContain('65536 MB ÷ 2048 MB = 32; GET /dyno-sizes: memory 64 GB, 16 vCPUs')
  })

  it('names the built-in table as the source when Heroku\'s list was not read', () => {
    const {processes, unknowns} = planProcesses({}, [node('web', 'performance-m')], {sizes: builtInDynoSizes('404')})
    expect(processes[0]!.processesPerDyno).toBe(5)
    expect(processes[0]!.sources.processesPerDyno).toBe("dyno size performance-m (the Node buildpack's WEB_CONCURRENCY: 2560 MB ÷ 512 MB = 5; built-in table: memory 2.5 GB (Dev Center dyno-types, 2024-06-04))")
    expect(unknowns).toEqual([])
  })

  it('assumes 1 process for a size neither knows, marks it unknown and names the listed sizes', () => {
    const {processes, unknowns} = planProcesses({}, [node('web', 'dyno-3c-3gb')], {sizes: LISTED})
    expect(processes[0]!.processesPerDyno).toBe(1)
    expect(processes[0]!.sources.processesPerDyno).toBe('dyno size dyno-3c-3gb (not a size tsq knows: 1 process per dyno assumed)')
    expect(unknowns).toEqual([{variable: 'web dyno size', kind: 'unknown',
      value: 'dyno-3c-3gb is not a dyno size tsq knows, so 1 process per web dyno is assumed (set WEB_CONCURRENCY or TSQ_WEB_PROCESSES)',
      allowed: "a size of Heroku's GET /dyno-sizes (dyno-1c-0.5gb, dyno-2c-4gb, dyno-16c-64gb, standard-2x)"}])
  })

  it('lets WEB_CONCURRENCY win over the size', () => {
    const {processes} = planProcesses({WEB_CONCURRENCY: '3'}, [node('web', 'dyno-2c-4gb')], {sizes: LISTED})
    expect([processes[0]!.processesPerDyno, processes[0]!.sources.processesPerDyno]).toEqual([3, 'WEB_CONCURRENCY'])
  })

  it('gives Puma\'s WEB_CONCURRENCY=auto the vCPUs Heroku lists for the size, as an assumption naming them', () => {
    const {processes, models} = planProcesses({WEB_CONCURRENCY: 'auto'}, [{type: 'web', quantity: 1, size: 'dyno-16c-64gb', command: 'bundle exec puma'}], {sizes: LISTED})
    expect(processes[0]!.processesPerDyno).toBe(16)
    expect(models[0]!.processesPerDyno.unknown).toBe('dyno size dyno-16c-64gb: 16 vCPUs assumed (GET /dyno-sizes: memory 64 GB, 16 vCPUs)')
  })
})
