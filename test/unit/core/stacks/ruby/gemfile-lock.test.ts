import {describe, expect, it} from 'vitest'
import {parseGemfileLock, versionAtLeast} from '../../../../../src/core/stacks/ruby/gemfile-lock.js'

const LOCK = `GIT
  remote: https://github.com/rails/rails.git
  revision: 2a2db1e8d6d1
  branch: main
  specs:
    rails (8.2.0.alpha)
      actionpack (= 8.2.0.alpha)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (8.2.0.alpha)
    connection_pool (2.4.1)
    nio4r (2.7.3)
    nokogiri (1.16.7-x86_64-linux)
      racc (~> 1.4)
    puma (6.4.3)
      nio4r (~> 2.0)
    sidekiq (7.1.0)
      connection_pool (>= 2.3.0)
      redis-client (>= 0.14.0)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  puma (>= 5.0)
  sidekiq (~> 7.1)

BUNDLED WITH
   2.5.16
`

describe('parseGemfileLock', () => {
  it('reads every specs: section, without platforms or dependency lines', () => {
    const {gems, unknown} = parseGemfileLock(LOCK)
    expect(Object.fromEntries(gems)).toEqual({
      rails: '8.2.0.alpha', billing: '0.1.0', actionpack: '8.2.0.alpha', connection_pool: '2.4.1', nio4r: '2.7.3',
      nokogiri: '1.16.7', puma: '6.4.3', sidekiq: '7.1.0',
    })
    expect(unknown).toEqual([])
  })

  it('tolerates garbage and refuses binary input', () => {
    expect(parseGemfileLock('GEM\n  specs:\n    (((\n    ok (1.0)\n\u00ff\u00fe\n').gems).toEqual(new Map([['ok', '1.0']]))
    expect(parseGemfileLock('\0\0').unknown).toEqual(['Gemfile.lock: binary or too large (contains NUL bytes), not read'])
  })
})

describe('versionAtLeast', () => {
  it.each([
    ['7.1.1', '7.1.1', true], ['7.1.0', '7.1.1', false], ['7.10.0', '7.9', true], ['8.0', '7.1.1', true],
    ['7.1', '7.1.0', true], ['7.1.1.beta1', '7.1.1', false], ['7.1.1.rc2', '7.1.1.rc1', true], ['6.5.12', '7', false],
    ['garbage', '1.0', false], ['', '1', false],
  ])('%s ≥ %s is %s', (v, min, result) => {
    expect(versionAtLeast(v, min)).toBe(result)
  })
})
