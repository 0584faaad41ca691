import {describe, expect, it} from 'vitest'
import {
  allowedDynoSizes, builtInDynoSizes, dynoSizesFromList, findDynoSize, webConcurrencyFor,
} from '../../../../src/core/model/dyno-sizes.js'
import {checkScaleSizes, parseScaleArgs} from '../../../../src/core/model/formation.js'
import {resolveSettings} from '../../../../src/core/model/settings.js'
import {problemsOf} from './scale-problems.js'

// Two Fir sizes as GET /dyno-sizes lists them (memory in GB, compute in vCPUs), one of them with a dot.
const FIR = dynoSizesFromList([{name: 'dyno-1c-0.5gb', memory: 0.5, compute: 1}, {name: 'dyno-2c-4gb', memory: 4, compute: 2}])

describe('webConcurrencyFor: the Node buildpacks\' WEB_CONCURRENCY from a dyno\'s memory', () => {
  it.each([
    [512, 1], [1024, 2], [2560, 5], [4096, 8], [14_336, 28], [16_384, 32], [30_720, 15], [63_488, 31], [129_024, 63], [262_144, 63], [256, 1],
  ])('%i MB → %i processes (512 MB each, 2048 MB above 16 GB, memory capped at 129 024 MB, at least 1)', (mb, n) => {
    expect(webConcurrencyFor(mb)).toBe(n)
  })
})

describe('dyno sizes from GET /dyno-sizes', () => {
  it('reads memory (GB → MB) and vCPUs, lower-cases the name, and names the API as the source', () => {
    expect(findDynoSize(FIR, 'DYNO-2C-4GB')).toEqual({name: 'dyno-2c-4gb', memoryMb: 4096, cpus: 2, generation: null, source: 'GET /dyno-sizes: memory 4 GB, 2 vCPUs'})
    expect(findDynoSize(FIR, 'dyno-1c-0.5gb')).toEqual({name: 'dyno-1c-0.5gb', memoryMb: 512, cpus: 1, generation: null, source: 'GET /dyno-sizes: memory 0.5 GB, 1 vCPU'})
  })

  it('leaves vCPUs unknown when compute is missing or not a positive whole number', () => {
    const sizes = dynoSizesFromList([{name: 'odd-1', memory: 1, compute: null}, {name: 'odd-2', memory: 1, compute: 1.5}, {name: 'odd-3', memory: 1}])
    expect(sizes.sizes.map(s => [s.cpus, s.source])).toEqual([[null, 'GET /dyno-sizes: memory 1 GB'], [null, 'GET /dyno-sizes: memory 1 GB'], [null, 'GET /dyno-sizes: memory 1 GB']])
  })

  it('falls back to the built-in table for a size the API does not list, and names that source', () => {
    expect(findDynoSize(FIR, 'standard-2x')).toMatchObject({memoryMb: 1024, source: expect.stringMatching(/^built-in table: memory 1 GB/)})
    expect(findDynoSize(FIR, 'mystery-9x')).toBeUndefined()
  })

  it('allows exactly the listed sizes once the API answered, and the built-in table\'s otherwise', () => {
    expect(allowedDynoSizes(FIR)).toEqual(['dyno-1c-0.5gb', 'dyno-2c-4gb'])
    expect(allowedDynoSizes(builtInDynoSizes('timeout'))).toEqual(expect.arrayContaining(['eco', 'standard-2x', 'performance-l-ram', 'dyno-1c-0.5gb', 'dyno-32c-64gb']))
    expect(allowedDynoSizes(undefined)).not.toContain('hobby')
  })
})

describe('allowedDynoSizes for an app of a known generation', () => {
  const BOTH = dynoSizesFromList([
    {name: 'Standard-2X', memory: 1, compute: 2, generation: {name: 'cedar'}},
    {name: 'dyno-2c-4gb', memory: 4, compute: 2, generation: {name: 'fir'}},
    {name: 'odd-1', memory: 1},
  ])

  it('offers only the app\'s generation\'s sizes, and sizes the list gives no generation to either', () => {
    expect(allowedDynoSizes(BOTH, 'cedar')).toEqual(['standard-2x', 'odd-1'])
    expect(allowedDynoSizes(BOTH, 'Fir')).toEqual(['dyno-2c-4gb', 'odd-1'])
    expect(allowedDynoSizes(BOTH)).toEqual(['standard-2x', 'dyno-2c-4gb', 'odd-1'])
    expect(allowedDynoSizes(builtInDynoSizes(), 'fir')).not.toContain('standard-2x')
    expect(allowedDynoSizes(builtInDynoSizes(), 'cedar')).not.toContain('dyno-1c-0.5gb')
  })

  it('says a listed size of the other generation is not offered to this app, rather than unknown', () => {
    expect(problemsOf(() => checkScaleSizes(parseScaleArgs(['web=1:dyno-2c-4gb', 'worker=1:huge']), BOTH, 'cedar'))).toEqual([
      '"web=1:dyno-2c-4gb": dyno size "dyno-2c-4gb" is not offered for a cedar app; the sizes of Heroku\'s GET /dyno-sizes for a cedar app are: standard-2x, odd-1',
      '"worker=1:huge": unknown dyno size "huge"; the sizes of Heroku\'s GET /dyno-sizes for a cedar app are: standard-2x, odd-1',
    ])
  })
})

describe('checkScaleSizes', () => {
  it('accepts a dotted Fir size the API lists, in any case', () => {
    expect(() => checkScaleSizes(parseScaleArgs(['web=2:Dyno-1c-0.5gb', 'worker+1']), FIR)).not.toThrow()
  })

  it('rejects a size the API does not list, even one the built-in table knows, naming the listed sizes', () => {
    expect(problemsOf(() => checkScaleSizes(parseScaleArgs(['web=2:standard-2x', 'worker=1:dyno-3c-3gb']), FIR))).toEqual([
      '"web=2:standard-2x": unknown dyno size "standard-2x"; the sizes of Heroku\'s GET /dyno-sizes are: dyno-1c-0.5gb, dyno-2c-4gb',
      '"worker=1:dyno-3c-3gb": unknown dyno size "dyno-3c-3gb"; the sizes of Heroku\'s GET /dyno-sizes are: dyno-1c-0.5gb, dyno-2c-4gb',
    ])
  })

  it('says when the allowed sizes are the built-in table because the API list could not be read', () => {
    const [problem] = problemsOf(() => checkScaleSizes(parseScaleArgs(['web=1:huge']), builtInDynoSizes('No answer within 20 s (GET /dyno-sizes).')))
    expect(problem).toMatch(/^"web=1:huge": unknown dyno size "huge"; the sizes of tsq's built-in table \(Heroku's GET \/dyno-sizes could not be used: No answer within 20 s \(GET \/dyno-sizes\)\.\) are: eco, basic, standard-1x, /)
  })
})

describe('resolveSettings with a size\'s memory', () => {
  it('derives processes per dyno from the memory it is given, over the built-in table\'s, and WEB_CONCURRENCY still wins', () => {
    expect(resolveSettings({}, {type: 'web', size: 'dyno-2c-4gb', memoryMb: 4096})).toMatchObject({processesPerDyno: 8, processesSource: 'dyno size'})
    expect(resolveSettings({}, {type: 'web', size: 'standard-2x', memoryMb: 2048}).processesPerDyno).toBe(4)
    expect(resolveSettings({}, {type: 'web', size: 'standard-2x'}).processesPerDyno).toBe(2)
    expect(resolveSettings({WEB_CONCURRENCY: '3'}, {type: 'web', size: 'dyno-2c-4gb', memoryMb: 4096}).processesPerDyno).toBe(3)
  })
})
