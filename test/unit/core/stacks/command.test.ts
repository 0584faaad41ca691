import {describe, expect, it} from 'vitest'
import {readCommand, type ReadCommand} from '../../../../src/core/stacks/command.js'

/** A ReadCommand with nothing set but what is given; `name` is the program unless given. */
function read(fields: Partial<ReadCommand> & {program: string | null}): ReadCommand {
  return {name: fields.program, args: [], env: {}, overrides: {}, wrappers: [], pgbouncer: false, unknown: [], dir: '.', ...fields}
}

const RAILS_CONFIG = {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5', RAILS_ENV: 'production'}

describe('readCommand: Procfile lines of Rails apps', () => {
  it('looks through bundle exec to puma and keeps the config vars as its environment', () => {
    expect(readCommand('bundle exec puma -C config/puma.rb', RAILS_CONFIG)).toEqual(read({
      program: 'puma', args: ['-C', 'config/puma.rb'], env: RAILS_CONFIG, wrappers: ['bundle exec'],
    }))
  })

  it('reads sidekiq with its -e and -C flags', () => {
    expect(readCommand('bundle exec sidekiq -e production -C config/sidekiq.yml', {})).toEqual(read({
      program: 'sidekiq', args: ['-e', 'production', '-C', 'config/sidekiq.yml'], wrappers: ['bundle exec'],
    }))
  })

  it('expands ${SIDEKIQ_CONCURRENCY:-5} to 5 when the variable is unset and to its value when set', () => {
    const command = 'bundle exec sidekiq -c ${SIDEKIQ_CONCURRENCY:-5} -q default -q mailers'
    expect(readCommand(command, {})).toEqual(read({
      program: 'sidekiq', args: ['-c', '5', '-q', 'default', '-q', 'mailers'], wrappers: ['bundle exec'],
    }))
    expect(readCommand(command, {SIDEKIQ_CONCURRENCY: '12'})).toEqual(read({
      program: 'sidekiq', args: ['-c', '12', '-q', 'default', '-q', 'mailers'], env: {SIDEKIQ_CONCURRENCY: '12'}, wrappers: ['bundle exec'],
    }))
  })

  it('lets a leading VAR=value win over the config var of the same name, and records it as an override', () => {
    expect(readCommand('RAILS_MAX_THREADS=20 bundle exec sidekiq', {RAILS_MAX_THREADS: '5', REDIS_URL: 'redis://r'})).toEqual(read({
      program: 'sidekiq', env: {RAILS_MAX_THREADS: '20', REDIS_URL: 'redis://r'}, overrides: {RAILS_MAX_THREADS: '20'}, wrappers: ['bundle exec'],
    }))
  })

  it('expands the words of a command before its own VAR=value prefix applies, as sh does', () => {
    expect(readCommand('N=9 bundle exec sidekiq -c ${N:-4}', {})).toEqual(read({
      program: 'sidekiq', args: ['-c', '4'], env: {N: '9'}, overrides: {N: '9'}, wrappers: ['bundle exec'],
    }))
  })

  it('marks the in-dyno pgbouncer when bin/start-pgbouncer wraps the program', () => {
    expect(readCommand('bin/start-pgbouncer bundle exec puma -C config/puma.rb', {})).toEqual(read({
      program: 'puma', args: ['-C', 'config/puma.rb'], wrappers: ['bin/start-pgbouncer', 'bundle exec'], pgbouncer: true,
    }))
  })

  it('reads Rails 8 Thruster in front of bin/rails server and keeps the program as written', () => {
    expect(readCommand('bin/thrust ./bin/rails server', {})).toEqual(read({
      program: './bin/rails', name: 'rails', args: ['server'], wrappers: ['bin/thrust'],
    }))
  })

  it('reads the string of sh -c, its cd and its exec', () => {
    expect(readCommand(`sh -c 'cd app && exec bundle exec sidekiq -c 10'`, {})).toEqual(read({
      program: 'sidekiq', args: ['-c', '10'], wrappers: ['sh -c', 'exec', 'bundle exec'], dir: 'app',
    }))
  })

  it('passes variables set before sh -c into the string it runs', () => {
    expect(readCommand(`SIDEKIQ_CONCURRENCY=7 bash -lc "exec bundle exec sidekiq -c \\$SIDEKIQ_CONCURRENCY"`, {})).toEqual(read({
      program: 'sidekiq', args: ['-c', '7'], env: {SIDEKIQ_CONCURRENCY: '7'}, overrides: {SIDEKIQ_CONCURRENCY: '7'},
      wrappers: ['bash -c', 'exec', 'bundle exec'],
    }))
  })

  it('takes the last command of a && list as the program (the migration before it runs and exits)', () => {
    expect(readCommand('bundle exec rails db:migrate && bundle exec puma', {})).toEqual(read({
      program: 'puma', wrappers: ['bundle exec'],
    }))
  })

  it('applies export before ; to the program and keeps an unset $PORT as written', () => {
    expect(readCommand('export MALLOC_ARENA_MAX=2; exec bin/rails server -p $PORT -e $RAILS_ENV', RAILS_CONFIG)).toEqual(read({
      program: 'bin/rails', name: 'rails', args: ['server', '-p', '$PORT', '-e', 'production'],
      env: {...RAILS_CONFIG, MALLOC_ARENA_MAX: '2'}, overrides: {MALLOC_ARENA_MAX: '2'}, wrappers: ['exec'],
    }))
  })

  it('applies env -u and env VAR=v: the unset variable is gone and recorded as null', () => {
    expect(readCommand('env -u WEB_CONCURRENCY RAILS_MAX_THREADS=3 bundle exec puma', RAILS_CONFIG)).toEqual(read({
      program: 'puma', env: {RAILS_MAX_THREADS: '3', RAILS_ENV: 'production'},
      overrides: {WEB_CONCURRENCY: null, RAILS_MAX_THREADS: '3'}, wrappers: ['env', 'bundle exec'],
    }))
  })

  it('empties the environment with env -i, recording every config var as unset', () => {
    expect(readCommand('env -i PATH=/usr/bin node web.js', {DATABASE_URL: 'postgres://d', PORT: '5000'})).toEqual(read({
      program: 'node', args: ['web.js'], env: {PATH: '/usr/bin'}, overrides: {DATABASE_URL: null, PORT: null, PATH: '/usr/bin'}, wrappers: ['env'],
    }))
  })

  it('applies unset before the program', () => {
    expect(readCommand('unset WEB_CONCURRENCY; bundle exec puma', RAILS_CONFIG)).toEqual(read({
      program: 'puma', env: {RAILS_MAX_THREADS: '5', RAILS_ENV: 'production'}, overrides: {WEB_CONCURRENCY: null}, wrappers: ['bundle exec'],
    }))
  })

  it('exports a bare assignment to the program only when the variable was already exported (a config var)', () => {
    expect(readCommand('RAILS_MAX_THREADS=8; JOBS=3; bundle exec sidekiq -c $JOBS', {RAILS_MAX_THREADS: '5'})).toEqual(read({
      program: 'sidekiq', args: ['-c', '3'], env: {RAILS_MAX_THREADS: '8'}, overrides: {RAILS_MAX_THREADS: '8'}, wrappers: ['bundle exec'],
    }))
  })

  it('applies a VAR=value prefix of an earlier command to that command only', () => {
    expect(readCommand('RAILS_MAX_THREADS=1 bin/rails db:prepare && bundle exec puma', {})).toEqual(read({
      program: 'puma', wrappers: ['bundle exec'],
    }))
  })

  it('stops at an exec: nothing after it runs', () => {
    expect(readCommand('exec bundle exec puma; bundle exec sidekiq', {})).toEqual(read({
      program: 'puma', wrappers: ['exec', 'bundle exec'],
    }))
  })

  it('looks through timeout and nice with their options', () => {
    expect(readCommand('timeout -s INT 3600 nice -n 5 bundle exec rake jobs:work', {})).toEqual(read({
      program: 'rake', args: ['jobs:work'], wrappers: ['timeout', 'nice', 'bundle exec'],
    }))
  })

  it('looks through bin/bundle exec and its options', () => {
    expect(readCommand('bin/bundle exec --keep-file-descriptors sidekiq', {})).toEqual(read({
      program: 'sidekiq', wrappers: ['bin/bundle exec'],
    }))
  })

  it('reads resque under rake with its QUEUE prefix unglobbed', () => {
    expect(readCommand('QUEUE=* bundle exec rake resque:work', {})).toEqual(read({
      program: 'rake', args: ['resque:work'], env: {QUEUE: '*'}, overrides: {QUEUE: '*'}, wrappers: ['bundle exec'],
    }))
  })

  it('reads bin/jobs and good_job start with their flags', () => {
    expect(readCommand('bin/jobs', {})).toEqual(read({program: 'bin/jobs', name: 'jobs'}))
    expect(readCommand('bundle exec good_job start --max-threads=10', {})).toEqual(read({
      program: 'good_job', args: ['start', '--max-threads=10'], wrappers: ['bundle exec'],
    }))
  })

  it('takes cd /app/<dir> as a directory of the checkout', () => {
    expect(readCommand('cd /app/worker && bundle exec sidekiq -C config/sidekiq.yml', {})).toEqual(read({
      program: 'sidekiq', args: ['-C', 'config/sidekiq.yml'], wrappers: ['bundle exec'], dir: 'worker',
    }))
  })
})

describe('readCommand: Procfile lines of Node apps and others', () => {
  it('reads node with its V8 flag and script', () => {
    expect(readCommand('node --max-old-space-size=460 dist/worker.js', {})).toEqual(read({
      program: 'node', args: ['--max-old-space-size=460', 'dist/worker.js'],
    }))
  })

  it('looks through nice -n 10 to npm run worker', () => {
    expect(readCommand('nice -n 10 npm run worker', {})).toEqual(read({program: 'npm', args: ['run', 'worker'], wrappers: ['nice']}))
  })

  it('marks pgbouncer for bin/start-pgbouncer-stunnel in front of node', () => {
    expect(readCommand('bin/start-pgbouncer-stunnel node web.js', {})).toEqual(read({
      program: 'node', args: ['web.js'], wrappers: ['bin/start-pgbouncer-stunnel'], pgbouncer: true,
    }))
  })

  it('reads nginx with its quoted directive as one argument', () => {
    expect(readCommand(`nginx -g 'daemon off;'`, {})).toEqual(read({program: 'nginx', args: ['-g', 'daemon off;']}))
  })

  it('drops redirections and a trailing comment', () => {
    expect(readCommand('node server.js 2>&1 >> log/web.log # web', {})).toEqual(read({program: 'node', args: ['server.js']}))
  })
})

describe('readCommand: a first word it cannot read', () => {
  it('looks through jemalloc.sh on the dyno\'s PATH when a known command follows and says so', () => {
    expect(readCommand('jemalloc.sh bundle exec puma', {}, {isWrapperScript: () => null})).toEqual(read({
      program: 'puma', wrappers: ['jemalloc.sh (not in the checkout: looked through)', 'bundle exec'],
    }))
    expect(readCommand('jemalloc.sh bundle exec puma', {})).toEqual(read({
      program: 'puma', wrappers: ['jemalloc.sh (no checkout: looked through)', 'bundle exec'],
    }))
  })

  it('takes an unreadable first word as the program when what follows is not a known command', () => {
    expect(readCommand('jemalloc.sh ./server --fast', {})).toEqual(read({program: 'jemalloc.sh', args: ['./server', '--fast']}))
  })

  it('asks the checkout about a script at the path the program starts from, and follows its answer', () => {
    const asked: string[] = []
    const wrapper = (path: string): boolean => (asked.push(path), true)
    expect(readCommand('cd api && ./bin/with-env bundle exec sidekiq', {}, {isWrapperScript: wrapper})).toEqual(read({
      program: 'sidekiq', wrappers: ['./bin/with-env', 'bundle exec'], dir: 'api',
    }))
    expect(asked).toEqual(['api/bin/with-env'])
    expect(readCommand('bin/worker bundle exec sidekiq', {}, {isWrapperScript: () => false})).toEqual(read({
      program: 'bin/worker', name: 'worker', args: ['bundle', 'exec', 'sidekiq'],
    }))
  })
})

describe('readCommand: what it cannot read is named and never throws', () => {
  it('keeps $(nproc) as written in the argument and names it', () => {
    expect(readCommand('bundle exec sidekiq -c $(nproc)', {})).toEqual(read({
      program: 'sidekiq', args: ['-c', '$(nproc)'], wrappers: ['bundle exec'],
      unknown: ['command substitution `$(nproc)` at column 24 is not run'],
    }))
  })

  it('names an unbalanced quote and still reads the program', () => {
    expect(readCommand(`bundle exec puma -C 'config/puma.rb`, {})).toEqual(read({
      program: 'puma', args: ['-C', 'config/puma.rb'], wrappers: ['bundle exec'], unknown: ['unbalanced single quote at column 21'],
    }))
  })

  it('says a problem inside sh -c is in its string', () => {
    expect(readCommand(`sh -c 'sidekiq -c $(nproc)'`, {}).unknown).toEqual(['in the `sh -c` string: command substitution `$(nproc)` at column 12 is not run'])
  })

  it('names a command backgrounded beside the program, whose connections it does not count', () => {
    expect(readCommand('bundle exec sidekiq & bundle exec puma', {})).toEqual(read({
      program: 'puma', wrappers: ['bundle exec'],
      unknown: ['`bundle exec sidekiq &` at column 1 runs beside the program: what it holds is not counted'],
    }))
  })

  it('reads the first stage of a pipeline as the program and names the pipeline', () => {
    expect(readCommand('bundle exec puma 2>&1 | logger -t web', {})).toEqual(read({
      program: 'puma', wrappers: ['bundle exec'],
      unknown: ['pipeline at column 1: `bundle exec puma` is read as the program, not what it pipes into'],
    }))
  })

  it('names a sourced file before the program, which may change its environment', () => {
    expect(readCommand('. .profile.d/env.sh && bundle exec puma', {}).unknown).toEqual([
      '`. .profile.d/env.sh` at column 1 is not read: it may change the environment',
    ])
  })

  it('refuses a command longer than 4096 characters', () => {
    expect(readCommand(`node ${'x'.repeat(4092)}`, {})).toEqual(read({
      program: null, unknown: ['the command is longer than 4096 characters: not read'],
    }))
    expect(readCommand(`node ${'x'.repeat(4091)}`, {}).program).toBe('node')
  })

  it('refuses sh -c nested deeper than 4', () => {
    const nest = (depth: number): string => depth === 0 ? 'puma' : `sh -c ${JSON.stringify(nest(depth - 1))}`
    expect(readCommand(nest(4), {}).program).toBe('puma')
    expect(readCommand(nest(5), {})).toEqual(read({
      program: null, wrappers: ['sh -c', 'sh -c', 'sh -c', 'sh -c', 'sh -c'], unknown: ['`sh -c` nested deeper than 4: not read'],
    }))
  })

  it('names at most 10 unreadable parts and counts the rest', () => {
    const unknown = readCommand(`puma ${'$(x) '.repeat(25)}`, {}).unknown
    expect(unknown).toHaveLength(11)
    expect(unknown[10]).toBe('… and 15 more parts that could not be read')
  })

  it('returns no program for an empty line, a comment or assignments only', () => {
    expect(readCommand('', {})).toEqual(read({program: null}))
    expect(readCommand('# nothing', {})).toEqual(read({program: null}))
    expect(readCommand('A=1 B=2', {})).toEqual(read({program: null}))
  })

  it('never throws on malformed commands', () => {
    for (const command of ['"', "'", '$(', '${', '`', 'sh -c', 'env -u', 'bundle exec', 'exec', '| |', '&& ;', 'timeout', '(puma)', 'if true; then puma; fi']) {
      expect(() => readCommand(command, {}), command).not.toThrow()
    }
  })
})

describe('readCommand: shell constructs', () => {
  it('reads the commands of an if as plain commands, names the construct, and skips its closing fi', () => {
    expect(readCommand('if [ -n "$X" ]; then bundle exec puma; fi', {})).toEqual(read({
      program: 'puma', wrappers: ['bundle exec'], unknown: [
        'shell construct `if` at column 1 is read as plain commands', 'shell construct `then` at column 17 is read as plain commands',
      ],
    }))
  })

  it('names parentheses of a subshell and reads the command inside', () => {
    expect(readCommand('(bundle exec puma)', {})).toEqual(read({
      program: 'puma', wrappers: ['bundle exec'], unknown: ['`(` at column 1 is not read', '`)` at column 18 is not read'],
    }))
  })

  it('ignores env -u without a name instead of recording an empty variable', () => {
    expect(readCommand('env -u', {A: '1'})).toEqual(read({program: null, env: {A: '1'}, wrappers: ['env']}))
  })
})
