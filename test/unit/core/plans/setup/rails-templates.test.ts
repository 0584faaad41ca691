// The Rails files tsq:setup generates (spec §9): the settings each one must carry, and Ruby that parses.
// test/e2e/rails/ runs them on real Puma and Sidekiq.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  RAILS_PUMA_RB, RAILS_SIDEKIQ_YML, RAILS_TSQ_INITIALIZER, railsProcfile, railsSetupFiles, railsSidekiqYml,
} from '../../../../../src/core/plans/setup/rails-templates.js'

const hasRuby = (() => {
  try {
    execFileSync('ruby', ['-v'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

describe('rails templates', () => {
  it('puma.rb: workers from WEB_CONCURRENCY, threads from RAILS_MAX_THREADS, preload, disconnect before fork, PORT', () => {
    expect(RAILS_PUMA_RB).toContain('workers Integer(ENV.fetch("WEB_CONCURRENCY") { 2 })')
    expect(RAILS_PUMA_RB).toContain('threads_count = Integer(ENV.fetch("RAILS_MAX_THREADS") { 3 })')
    expect(RAILS_PUMA_RB).toContain('threads threads_count, threads_count')
    expect(RAILS_PUMA_RB).toMatch(/^preload_app!$/m)
    expect(RAILS_PUMA_RB).toMatch(/before_fork do\n\s+ActiveRecord::Base\.connection_pool\.disconnect!/)
    expect(RAILS_PUMA_RB).toContain('port ENV.fetch("PORT") { 3000 }')
    expect(RAILS_PUMA_RB).not.toMatch(/^\s*(on_worker_boot|before_worker_boot)/m)
  })

  it('sidekiq.yml: concurrency from SIDEKIQ_CONCURRENCY, 5 by default, and the queues', () => {
    expect(RAILS_SIDEKIQ_YML).toContain(':concurrency: <%= ENV.fetch("SIDEKIQ_CONCURRENCY") { 5 } %>')
    expect(RAILS_SIDEKIQ_YML).toMatch(/:queues:\n {2}- default\n$/)
    expect(railsSidekiqYml(['critical', 'default'])).toMatch(/:queues:\n {2}- critical\n {2}- default\n$/)
    expect(() => railsSidekiqYml(['a b'])).toThrow(/queue name/)
    expect(() => railsSidekiqYml([])).toThrow(/at least one queue/)
  })

  it('tsq.rb: pools per process, Sidekiq Redis sizes, rediss, names, re-applied after fork', () => {
    const rb = RAILS_TSQ_INITIALIZER
    expect(rb).toContain('Tsq.size_active_record_pool(Tsq.sidekiq_concurrency)')
    expect(rb).toContain('Tsq.size_active_record_pool(Tsq.web_pool)')
    expect(rb).toContain('size: sidekiq_concurrency + 2')
    expect(rb).toContain('size = type == "web" ? puma_threads : nil')
    expect(rb).toContain('{verify_mode: OpenSSL::SSL::VERIFY_NONE} if url.to_s.start_with?("rediss://")')
    expect(rb).toContain('super(conn_params.merge(application_name: Tsq.name))')
    expect(rb).toContain('["tsq", dyno, Process.pid, purpose].compact.join(":")')
    expect(rb).toContain('"#{type}.local"')
    expect(rb).toMatch(/redis_options\("sidekiq-server"/)
    expect(rb).toMatch(/redis_options\("sidekiq-client"/)
    expect(rb).toContain('ActiveSupport::ForkTracker.after_fork do')
    expect(rb).toContain('max_connections: pool') // Rails 8.1
  })

  it('the generated files are ASCII: Ruby reads config files in the locale\'s encoding, which may be US-ASCII', () => {
    for (const file of railsSetupFiles()) expect([...file.content].filter(c => c.charCodeAt(0) > 0x7f)).toEqual([])
  })

  it('Procfile: release only when asked', () => {
    expect(railsProcfile({release: false})).toBe('web: bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq -C config/sidekiq.yml\n')
    expect(railsProcfile({release: true})).toMatch(/\nrelease: bin\/rails db:migrate\n$/)
  })

  it.skipIf(!hasRuby)('the Ruby files parse (ruby -c) and sidekiq.yml is YAML after ERB', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsq-rails-templates-'))
    try {
      for (const file of railsSetupFiles()) {
        const path = join(dir, file.path.replace(/\//g, '_'))
        writeFileSync(path, file.content)
        if (path.endsWith('.rb')) expect(execFileSync('ruby', ['-c', path], {encoding: 'utf8'})).toContain('Syntax OK')
        else {
          const script = 'require "erb"; require "yaml"; p YAML.load(ERB.new(File.read(ARGV[0])).result)'
          expect(execFileSync('ruby', ['-e', script, path], {encoding: 'utf8', env: {...process.env, SIDEKIQ_CONCURRENCY: '7'}}).trim())
            .toBe('{:concurrency=>7, :queues=>["default"]}')
        }
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
