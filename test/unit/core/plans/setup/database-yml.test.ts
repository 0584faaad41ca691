// tsq:setup --pooling's config/database.yml edit on the shapes real Rails apps have (rails new 6.1 and 8.x, an
// existing ERB url:, ERB conditionals): only the url:/prepared_statements: lines change, and the doctor's own
// reader then resolves the primary config to the pooler's variable with prepared statements off, the other
// configs where they were; a second plan on the result changes nothing.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {type DatabaseYmlIntent, planPoolerDatabaseYml} from '../../../../../src/core/plans/setup/database-yml.js'
import {parseDatabaseYml} from '../../../../../src/core/stacks/ruby/database-config.js'
import {readPrimarySession} from '../../../../../src/core/stacks/ruby/database-session.js'
import {lineDiff} from '../../../../../src/core/model/text-diff.js'

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/rails-configs')
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8')
const POOL = 'DATABASE_CONNECTION_POOL_URL'
const env = {DATABASE_URL: 'postgres://u:secret@db.example.com:5432/d1', [POOL]: 'postgres://u:secret@pooler.example.com:5432/d1'}
const intent: DatabaseYmlIntent = {variable: POOL, env, railsEnv: 'production'}

function edited(text: string, i: DatabaseYmlIntent = intent): string {
  const plan = planPoolerDatabaseYml(text, i)
  if (plan.kind !== 'edit') throw new Error(`expected an edit, got ${plan.kind}: ${plan.reason}`)
  return plan.after
}
/** The lines the edit removed (-) and added (+), in order: everything else is byte-for-byte the same. */
const changedLines = (before: string, after: string) => lineDiff(before, after).filter(l => !l.startsWith(' '))
const urls = (text: string, e = env) => Object.fromEntries(parseDatabaseYml(text, {env: e, railsEnv: 'production'}).configs.map(c => [c.name, c.url?.variable]))
const prepared = (text: string, e = env) => readPrimarySession(text, {env: e, railsEnv: 'production', url: e[POOL], urlVariable: POOL}).preparedStatements.value

describe('planPoolerDatabaseYml', () => {
  it('rails new 6.1 (production: <<: *default, username/password): adds url: and prepared_statements: false at the end of production, nothing else', () => {
    const before = fixture('database-rails-6.1.yml')
    const after = edited(before)
    expect(changedLines(before, after)).toEqual([`+  url: <%= ENV['${POOL}'] %>`, '+  prepared_statements: false'])
    expect(urls(after)).toEqual({primary: POOL})
    expect(prepared(after)).toBe(false)
    expect(urls(before)).toEqual({primary: 'DATABASE_URL'})
  })

  it('Rails 8.0 and 8.1 (primary/cache/queue/cable): primary reads the pooler; cache, queue and cable keep their own variables instead of inheriting it', () => {
    for (const name of ['database-rails-8.0.yml', 'database-rails-8.1.yml']) {
      const before = fixture(name)
      const after = edited(before)
      expect(changedLines(before, after)).toEqual([
        `+    url: <%= ENV["${POOL}"] %>`, '+    prepared_statements: false',
        '+    url: <%= ENV["CACHE_DATABASE_URL"] %>', '+    url: <%= ENV["QUEUE_DATABASE_URL"] %>', '+    url: <%= ENV["CABLE_DATABASE_URL"] %>',
      ])
      expect(urls(after)).toEqual({primary: POOL, cache: 'CACHE_DATABASE_URL', queue: 'QUEUE_DATABASE_URL', cable: 'CABLE_DATABASE_URL'})
      expect(urls(before)).toEqual({primary: 'DATABASE_URL', cache: 'CACHE_DATABASE_URL', queue: 'QUEUE_DATABASE_URL', cable: 'CABLE_DATABASE_URL'})
      expect(prepared(after)).toBe(false)
    }
  })

  it('an existing url: with ERB is replaced on its own line; an existing prepared_statements: true becomes false in place', () => {
    const before = 'default: &default\n  adapter: postgresql\n  pool: 5\n\nproduction:\n  <<: *default\n  url: <%= ENV["DATABASE_URL"] %> # Heroku\n  prepared_statements: true\n  variables:\n    statement_timeout: 5s\n'
    const after = edited(before)
    expect(changedLines(before, after)).toEqual([
      '-  url: <%= ENV["DATABASE_URL"] %> # Heroku', '-  prepared_statements: true',
      `+  url: <%= ENV["${POOL}"] %>`, '+  prepared_statements: false',
    ])
    expect(urls(after)).toEqual({primary: POOL})
    expect(prepared(after)).toBe(false)
  })

  it('a url: already reading the pooler (ENV[pooler] || ENV[DATABASE_URL]) is kept; only prepared_statements: false is added', () => {
    const before = fixture('database-multi.yml')
    const after = edited(before)
    expect(changedLines(before, after)).toEqual(['+    prepared_statements: false'])
    expect(urls(after)).toEqual(urls(before))
  })

  it('ERB conditionals elsewhere in production are kept and the lines go after them; a url: inside one is left for the user, naming why', () => {
    const before = 'production:\n  adapter: postgresql\n<% if ENV["BIG"] %>\n  pool: 20\n<% else %>\n  pool: 5\n<% end %>\n\ntest:\n  adapter: postgresql\n'
    const after = edited(before)
    expect(changedLines(before, after)).toEqual([`+  url: <%= ENV["${POOL}"] %>`, '+  prepared_statements: false'])
    expect(after.split('\n').slice(6, 9)).toEqual(['<% end %>', `  url: <%= ENV["${POOL}"] %>`, '  prepared_statements: false'])
    expect(urls(after)).toEqual({primary: POOL})

    const conditional = 'production:\n  adapter: postgresql\n<% if ENV["REPLICA"] %>\n  url: <%= ENV["REPLICA_URL"] %>\n<% else %>\n  url: <%= ENV["DATABASE_URL"] %>\n<% end %>\n'
    const plan = planPoolerDatabaseYml(conditional, intent)
    expect(plan).toEqual({kind: 'skip', reason: expect.stringMatching(/sets url: of production primary inside ERB conditionals: add url: <%= ENV\["DATABASE_CONNECTION_POOL_URL"\] %> and prepared_statements: false/)})
  })

  it('another attachment name: url: reads that variable', () => {
    const e = {...env, DATABASE_POOLER_URL: env[POOL]}
    const after = edited(fixture('database-rails-6.1.yml'), {...intent, variable: 'DATABASE_POOLER_URL', env: e})
    expect(urls(after, e)).toEqual({primary: 'DATABASE_POOLER_URL'})
  })

  it('a CRLF file gets its added lines with CRLF too', () => {
    const before = 'production:\r\n  adapter: postgresql\r\n  database: app\r\n'
    expect(edited(before)).toBe(`production:\r\n  adapter: postgresql\r\n  database: app\r\n  url: <%= ENV["${POOL}"] %>\r\n  prepared_statements: false\r\n`)
  })

  it('a second plan on the edited file changes nothing, for every shape', () => {
    for (const text of ['database-rails-6.1.yml', 'database-rails-8.0.yml', 'database-rails-8.1.yml', 'database-multi.yml'].map(fixture)) {
      expect(planPoolerDatabaseYml(edited(text), intent)).toEqual({kind: 'unchanged', reason: expect.stringContaining(`already connects through ${POOL}`)})
    }
  })

  describe('a url: whose value spans several lines is replaced whole, continuation lines included', () => {
    const head = 'default: &default\n  adapter: postgresql\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n\nproduction:\n  <<: *default\n'
    const tail = '  variables:\n    statement_timeout: 5s\n\ntest:\n  <<: *default\n  database: app_test\n'
    const shapes: Array<[string, string[]]> = [
      ['url: | with an ERB line', ['  url: |', '    <%= ENV["DATABASE_URL"] %>']],
      ['url: | with a literal URL line', ['  url: |', '    postgres://u:SENTINELliteral@db.example.com:5432/d1']],
      ['url: >- with a blank line and two ERB lines', ['  url: >-', '    <%= ENV["DATABASE_URL"] %>', '', '    <%= ENV["OTHER_URL"] %>']],
      ['a plain scalar continued on a more-indented line', ['  url: <%= ENV["DATABASE_URL"] %>', '    <%= ENV["REPLICA_URL"] %>']],
      ['a double-quoted scalar continued on the next line', ['  url: "<%= ENV["DATABASE_URL"] %>', '    "']],
    ]
    for (const [name, urlLines] of shapes) {
      it(`${name}: the key and all its lines become the one pooler line; the keys around it stay; a second plan changes nothing`, () => {
        const before = `${head}${urlLines.join('\n')}\n${tail}`
        const plan = planPoolerDatabaseYml(before, intent)
        expect(plan.kind).toBe('edit')
        const after = (plan as {after: string}).after
        expect(after).toBe(`${head}  url: <%= ENV["${POOL}"] %>\n  variables:\n    statement_timeout: 5s\n  prepared_statements: false\n\ntest:\n  <<: *default\n  database: app_test\n`)
        expect((plan as {edits: string[]}).edits).toEqual([`url: replaced on lines 7-${6 + urlLines.length}`, 'prepared_statements: added to production'])
        expect(urls(after)).toEqual({primary: POOL})
        expect(prepared(after)).toBe(false)
        expect(planPoolerDatabaseYml(after, intent)).toEqual({kind: 'unchanged', reason: expect.stringContaining(`already connects through ${POOL}`)})
      })
    }
  })

  it('a url: that reads the pooler but renders to more than its value (folded with the old URL by an earlier edit) is not taken as done: its lines are replaced', () => {
    const folded = `production:\n  adapter: postgresql\n  prepared_statements: false\n  url: <%= ENV["${POOL}"] %>\n    <%= ENV["DATABASE_URL"] %>\n`
    expect(urls(folded)).toEqual({primary: POOL})
    expect(planPoolerDatabaseYml(folded, intent)).toEqual({kind: 'edit', edits: ['url: replaced on lines 4-5'],
      after: `production:\n  adapter: postgresql\n  prepared_statements: false\n  url: <%= ENV["${POOL}"] %>\n`})
  })

  it('a url: value with an ERB tag line inside it is left for the user, naming the line', () => {
    const before = 'production:\n  adapter: postgresql\n  url: |\n    <% if true %>\n    <%= ENV["DATABASE_URL"] %>\n    <% end %>\n'
    expect(planPoolerDatabaseYml(before, intent)).toEqual({kind: 'skip',
      reason: expect.stringMatching(/^config\/database\.yml: the url: value of production primary \(line 3\) spans ERB tags setup cannot edit around: add url: /)})
  })

  it('no production section: nothing is edited, and the reason says what to add', () => {
    const plan = planPoolerDatabaseYml('development:\n  adapter: postgresql\n', intent)
    expect(plan).toEqual({kind: 'skip', reason: `config/database.yml has no production database config to point at the pooler: add url: <%= ENV["${POOL}"] %> and prepared_statements: false to its production primary config by hand`})
  })
})
