import {describe, expect, it} from 'vitest'
import {classifyProgram, flagValue, readCommand} from '../../../../src/core/stacks/command.js'

describe('classifyProgram', () => {
  const kind = (command: string, isWrapperScript?: (path: string) => boolean | null): ReturnType<typeof classifyProgram> =>
    classifyProgram(readCommand(command, {}, isWrapperScript ? {isWrapperScript} : {}))

  it.each([
    ['node dist/web.js'], ['npm start'], ['npx tsx src/worker.ts'], ['yarn worker'], ['pnpm run web'], ['tsx watch src/a.ts'],
    ['ts-node src/web.ts'], ['bun run src/index.ts'], ['node_modules/.bin/tsx src/worker.ts'],
  ])('%s runs node', command => {
    expect(kind(command)).toBe('node')
  })

  it.each([
    ['bundle exec puma -C config/puma.rb'], ['jemalloc.sh bundle exec puma'], ['bundle exec rails server -p $PORT'],
    ['bin/rails s'], ['bin/thrust ./bin/rails server'], ['rails server -u puma'],
  ])('%s is served by puma', command => {
    expect(kind(command)).toBe('puma')
  })

  it.each([
    ['bin/jobs'], ['./bin/jobs start'], ['bin/rails solid_queue:start'], ['bundle exec rake solid_queue:start'],
  ])('%s runs solid_queue', command => {
    expect(kind(command)).toBe('solid_queue')
  })

  it.each([
    ['bundle exec good_job start --max-threads=10'], ['bin/good_job start'], ['bin/good_job'],
  ])('%s runs good_job', command => {
    expect(kind(command)).toBe('good_job')
  })

  it.each([
    ['bundle exec rake resque:work'], ['bin/rails runner "Clock.run"'], ['bundle exec rails db:migrate'],
    ['bundle exec clockwork config/clock.rb'], ['ruby lib/worker.rb'], ['bundle exec resque-pool'],
    ['rails server -u falcon'], ['bundle exec good_job cleanup_preserved_jobs'],
  ])('%s boots the app as none of the modelled servers', command => {
    expect(kind(command)).toBe('app')
  })

  it.each([
    [`nginx -g 'daemon off;'`], ['bin/start-nginx-solo'], ['./target/release/server'], ['bundle install'],
  ])('%s runs something else', command => {
    expect(kind(command)).toBe('other')
  })

  it('takes a checkout script that runs its own program as that program, not what follows it', () => {
    expect(kind('bin/web-server bundle exec puma', () => false)).toBe('other')
    expect(kind('bin/web-server bundle exec puma', () => true)).toBe('puma')
  })

  it('reads sidekiq and returns null when there is no program', () => {
    expect(kind('bundle exec sidekiq -C config/sidekiq.yml')).toBe('sidekiq')
    expect(kind('')).toBeNull()
    expect(kind('X=1')).toBeNull()
  })
})

describe('flagValue', () => {
  const concurrency = ['-c', '--concurrency']

  it('reads the four written forms and says how each was written', () => {
    expect(flagValue(['-c', '20'], concurrency)).toEqual({value: '20', written: '-c 20'})
    expect(flagValue(['-c20'], concurrency)).toEqual({value: '20', written: '-c20'})
    expect(flagValue(['--concurrency', '20'], concurrency)).toEqual({value: '20', written: '--concurrency 20'})
    expect(flagValue(['--concurrency=20'], concurrency)).toEqual({value: '20', written: '--concurrency=20'})
  })

  it('takes the last occurrence, as option parsers do', () => {
    expect(flagValue(['-c', '5', '-q', 'default', '--concurrency=8', '-q', 'mailers'], concurrency)).toEqual({value: '8', written: '--concurrency=8'})
  })

  it('does not confuse -C with -c, nor a longer flag sharing its prefix', () => {
    expect(flagValue(['-C', 'config/sidekiq.yml', '--concurrency-limit=3'], concurrency)).toBeNull()
  })

  it('reads no flag after --', () => {
    expect(flagValue(['-c', '5', '--', '-c', '9'], concurrency)).toEqual({value: '5', written: '-c 5'})
  })

  it('does not read the value it took as a flag of its own', () => {
    expect(flagValue(['-e', '-e', '-c5'], ['-e'])).toEqual({value: '-e', written: '-e -e'})
  })

  it('returns null for a flag at the end without its value', () => {
    expect(flagValue(['-q', 'default', '-c'], concurrency)).toBeNull()
  })
})
