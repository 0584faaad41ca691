import {describe, expect, it} from 'vitest'
import {nodeAt, readErbYaml, readScalar} from '../../../../../src/core/stacks/ruby/erb-yaml.js'

const F = 'config/database.yml'
const int = (v: unknown): number | null => typeof v === 'number' ? v : null
const SECRET = 'SENTINELyamlPW777'

describe('readErbYaml', () => {
  const text = [
    'default: &default',                                          // 1
    '  adapter: postgresql',                                      // 2
    '  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>',        // 3
    '  timeout: 5000',                                            // 4
    '',                                                           // 5
    'production:',                                                // 6
    '  <<: *default',                                             // 7
    '  url: <%= ENV["DATABASE_URL"] %>',                          // 8
  ].join('\n')

  it('renders ERB, applies the merge and keeps each value\'s own line', () => {
    const y = readErbYaml(text, {file: F, env: {DATABASE_URL: `postgres://u:${SECRET}@h/db`}})
    expect(y.unknown).toEqual([])
    expect(y.data).toEqual({
      default: {adapter: 'postgresql', pool: 5, timeout: 5000},
      production: {adapter: 'postgresql', pool: 5, timeout: 5000, url: `postgres://u:${SECRET}@h/db`},
    })
    const pool = nodeAt(y.root, ['production', 'pool'])!
    expect(readScalar(pool, F, int, 'number')).toEqual({ok: true,
      value: {value: 5, source: 'config/database.yml:3 default 5 (RAILS_MAX_THREADS unset)', lever: {kind: 'env', variable: 'RAILS_MAX_THREADS'}}})
    const url = readScalar(nodeAt(y.root, ['production', 'url'])!, F, v => typeof v === 'string' ? v : null, 'URL')
    expect(url.ok && url.value.source).toBe('DATABASE_URL via config/database.yml:8')
    expect(JSON.stringify(url.ok && [url.value.source, url.value.lever])).not.toContain(SECRET)
    expect(readScalar(nodeAt(y.root, ['production', 'timeout'])!, F, int, 'number')).toEqual({ok: true,
      value: {value: 5000, source: 'config/database.yml:4', lever: {kind: 'file', file: F, line: 4}}})
  })

  it('reads a set variable through ERB as that variable', () => {
    const y = readErbYaml(text, {file: F, env: {RAILS_MAX_THREADS: '12'}})
    expect(readScalar(nodeAt(y.root, ['production', 'pool'])!, F, int, 'number')).toEqual({ok: true,
      value: {value: 12, source: 'RAILS_MAX_THREADS via config/database.yml:3', lever: {kind: 'env', variable: 'RAILS_MAX_THREADS'}}})
  })

  it('lets a later key win over a merge and a merge win over an earlier key, as Psych does', () => {
    const y = readErbYaml('a: &a {x: 1, y: 1}\nb:\n  x: 2\n  <<: *a\n  y: 3\n', {file: F, env: {}})
    expect(y.data).toEqual({a: {x: 1, y: 1}, b: {x: 1, y: 3}})
  })

  it('merges a list of maps with the earlier ones winning', () => {
    const y = readErbYaml('a: &a {x: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n', {file: F, env: {}})
    expect(y.data).toEqual({a: {x: 1}, b: {x: 2, z: 2}, c: {x: 1, z: 2}})
  })

  it('makes only the value of unreadable ERB unknown', () => {
    const y = readErbYaml('production:\n  pool: <%= Concurrent.processor_count %>\n  timeout: 5\n', {file: F, env: {}})
    expect(y.failed).toBe(false)
    expect(readScalar(nodeAt(y.root, ['production', 'pool'])!, F, int, 'number'))
      .toEqual({ok: false, why: 'config/database.yml:2: number could not be read: the constant Concurrent'})
    expect(y.data).toEqual({production: {pool: null, timeout: 5}})
  })

  it('reads ERB before `---`, comments, <%- -%> trims and decided ERB conditions, keeping line numbers', () => {
    const t = [
      '<%# the queues %>',                                         // 1
      '<% max = ENV.fetch("SIDEKIQ_CONCURRENCY", 10) %>',          // 2
      '---',                                                       // 3
      '<%- if ENV["BIG"] -%>',                                     // 4
      ':concurrency: 50',                                          // 5
      '<%- else -%>',                                              // 6
      ':concurrency: <%= max %>',                                  // 7
      '<%- end -%>',                                               // 8
      ':queues: [default]',                                        // 9
    ].join('\n')
    const small = readErbYaml(t, {file: 'config/sidekiq.yml', env: {}})
    expect(small.unknown).toEqual([])
    expect(readScalar(nodeAt(small.root, ['concurrency'], true)!, 'config/sidekiq.yml', int, 'number')).toEqual({ok: true,
      value: {value: 10, source: 'config/sidekiq.yml:2 default 10 (SIDEKIQ_CONCURRENCY unset)', lever: {kind: 'env', variable: 'SIDEKIQ_CONCURRENCY'}}})
    const big = readErbYaml(t, {file: 'config/sidekiq.yml', env: {BIG: '1'}})
    expect(readScalar(nodeAt(big.root, [':concurrency'])!, 'config/sidekiq.yml', int, 'number')).toEqual({ok: true,
      value: {value: 50, source: 'config/sidekiq.yml:5', lever: {kind: 'file', file: 'config/sidekiq.yml', line: 5}}})
    expect(nodeAt(big.root, [':queues'])?.line).toBe(9)
  })

  it('marks values under an ERB condition it cannot decide unknown and says so', () => {
    const y = readErbYaml('<% if Rails.application.big? %>\npool: 50\n<% end %>\n', {file: F, env: {}})
    expect(readScalar(nodeAt(y.root, ['pool'])!, F, int, 'number')).toEqual({ok: false,
      why: 'config/database.yml:2: number could not be read: it is under the ERB condition `Rails.application.big?` at config/database.yml:1 (the constant Rails)'})
  })

  it('turns a YAML syntax error into one unknown with the parser\'s line, never a throw', () => {
    const y = readErbYaml('production:\n  pool: 5\n  url: [oops\nnext: 1\n', {file: F, env: {}})
    expect(y.failed).toBe(true)
    expect(y.root).toBeNull()
    expect(y.unknown).toHaveLength(1)
    expect(y.unknown[0]).toMatch(/^config\/database\.yml:4: YAML could not be parsed: /)
  })

  it('reads booleans as Psych does: yes/on/true, but y and n stay strings', () => {
    expect(readErbYaml('a: yes\nb: Off\nc: y\nd: n\ne: TRUE\n', {file: F, env: {}}).data).toEqual({a: true, b: false, c: 'y', d: 'n', e: true})
  })

  it('refuses an alias bomb and a self-referencing alias', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) =>
      `${k}: &${k} [${Array(10).fill('*' + (i === 0 ? 'a' : 'bcdefg'[i - 1])).join(', ')}]`)].join('\n')
    expect(readErbYaml(bomb, {file: F, env: {}})).toMatchObject({failed: true, unknown: [`${F}: more than 20000 values once aliases are expanded, not read`]})
    expect(readErbYaml('a: &a\n  b: *a\n', {file: F, env: {}}).failed).toBe(true)
  })

  it('refuses binary and oversized input in one unknown', () => {
    expect(readErbYaml('a: 1\0', {file: F, env: {}}).unknown).toEqual([`${F}: binary or too large (contains NUL bytes), not read`])
    expect(readErbYaml('#'.repeat(300_000), {file: F, env: {}}).unknown).toEqual([`${F}: binary or too large (over 256 KiB), not read`])
  })
})
