// tsq:setup --pooling's plan (spec §11): attach only where the plan has server-side pooling and the formation does
// not fit at today's pools; the runtime is pointed through TSQ_DATABASE_URL_VAR, a Rails app's database.yml is
// edited (or, without its checkout, the lines are named); an app already pooled plans nothing.
import {describe, expect, it} from 'vitest'
import type {AppState, Checkout} from '../../../../../src/core/model/app-state.js'
import {planPooling} from '../../../../../src/core/plans/setup/pooling.js'
import {appStateOf, attachment, postgresAddon} from '../../../../helpers/app-state.js'

const DB = 'postgres://u:p@db.example:5432/d'

function app(formation: AppState['formation'], checkout?: Checkout, plan = 'standard-0'): AppState {
  const pg = postgresAddon(plan, {id: 'pg1', name: 'postgresql-curved-1'})
  return appStateOf({addons: [pg], config: {DATABASE_URL: DB, RAILS_MAX_THREADS: '5'}, formation, checkout})
}

const node = [{type: 'web', quantity: 10, size: 'standard-2x', command: 'node web.js'}, {type: 'worker', quantity: 8, size: 'standard-1x', command: 'node worker.js'}]
const rails = [{type: 'web', quantity: 10, size: 'standard-2x', command: 'bundle exec puma -w 2'}, {type: 'worker', quantity: 8, size: 'standard-1x', command: 'bundle exec sidekiq -c 5'}]
const railsYml = 'production:\n  adapter: postgresql\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n'
const railsCheckout: Checkout = {dir: '.', files: {'config/database.yml': {text: railsYml}}}

describe('planPooling', () => {
  it('a Node app over standard-0: attach DATABASE_CONNECTION_POOL and set TSQ_DATABASE_URL_VAR; the prediction counts the pooler', () => {
    const plan = planPooling(app(node))
    expect(plan.change).toMatchObject({kind: 'attach', addon: 'postgresql-curved-1', as: 'DATABASE_CONNECTION_POOL', pooling: true, configVar: 'DATABASE_CONNECTION_POOL_URL'})
    expect(plan.vars).toEqual({TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'})
    expect(plan.predicted.attachments.some(t => t.namespace === 'connection-pooling:default')).toBe(true)
  })

  it('a Rails app with --force: attach, the database.yml edit to the pooler, and the release phase kept on DATABASE_URL', () => {
    const plan = planPooling(app(rails, railsCheckout), {}, true)
    expect(plan.change).not.toBeNull()
    expect(plan.vars).toEqual({})
    expect(plan.notes).toEqual([{id: 'setup.pooling',
      message: 'Once config/database.yml reads DATABASE_CONNECTION_POOL_URL, one-off dynos connect through the transaction pooler too: `heroku run rails db:migrate` ' +
        'and consoles that take advisory locks (migrations, with_advisory_lock) fail or misbehave there; only the Procfile\'s release line is kept on DATABASE_URL',
      fix: 'run them on the direct URL: heroku run \'DATABASE_CONNECTION_POOL_URL=$DATABASE_URL bin/rails db:migrate\' -a demo (single quotes, so $DATABASE_URL is expanded on the dyno, not by your shell)'}])
    expect(plan.rails).toEqual({
      database: {kind: 'edit', after: `${railsYml}  url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %>\n  prepared_statements: false\n`,
        edits: ['url: added to production', 'prepared_statements: added to production']},
      direct: {variable: 'DATABASE_CONNECTION_POOL_URL', types: ['release']},
    })
  })

  it('a Rails app whose database.yml must change, without --force: no attach and nothing pointed at it; the skipped step shows the edit and names --force', () => {
    const state = app(rails, railsCheckout)
    const plan = planPooling(state)
    expect(plan).toEqual({change: null, vars: {}, notes: [], rails: null, predicted: state, needsForce: true, skipped: [{kind: 'attach',
      reason: '--pooling: postgresql-curved-1\'s pooler is not attached, as nothing would connect through it yet: web, worker read config/database.yml, whose change below ' +
        '(url: added to production; prepared_statements: added to production) setup writes only with --force. With --force it attaches DATABASE_CONNECTION_POOL, ' +
        'points config/database.yml at DATABASE_CONNECTION_POOL_URL and keeps the release phase on DATABASE_URL, in one run: heroku tsq:setup --pooling --force -a demo',
      diff: ['--- a/config/database.yml', '+++ b/config/database.yml', '@@ -1,3 +1,5 @@', ' production:', '   adapter: postgresql',
        '   pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>', '+  url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %>', '+  prepared_statements: false']}]})
  })

  it('a Node app is attached and pointed without --force (TSQ_DATABASE_URL_VAR is a config var, not a file)', () => {
    const plan = planPooling(app(node), {}, false)
    expect(plan.change).toMatchObject({kind: 'attach', pooling: true})
    expect(plan.vars).toEqual({TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'})
  })

  it('a Rails app without its checkout: the database.yml lines to change as the fix', () => {
    const plan = planPooling(app(rails))
    expect(plan.rails).toBeNull()
    expect(plan.notes[0]!.fix).toContain('url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %> and prepared_statements: false')
    expect(plan.notes[0]!.fix).toContain('heroku run \'DATABASE_CONNECTION_POOL_URL=$DATABASE_URL bin/rails db:migrate\' -a demo')
  })

  it('already attached and used: nothing to do', () => {
    const s = app(node)
    const pg = s.addons[0]!
    const pooled: AppState = {...s, attachments: [...s.attachments, {...attachment(pg, 'DATABASE_CONNECTION_POOL'), namespace: 'connection-pooling:default'}],
      config: {...s.config, DATABASE_CONNECTION_POOL_URL: 'postgres://u:p@pooler.example:5432/d', TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}}
    const plan = planPooling(pooled)
    expect([plan.change, plan.vars]).toEqual([null, {}])
    expect(plan.skipped[0]!.reason).toContain('already pools')
  })

  it('Essential has no server-side pooling: nothing is attached', () => {
    const plan = planPooling(app(node, undefined, 'essential-2'))
    expect(plan.change).toBeNull()
    expect(plan.skipped[0]!.reason).toContain('has no server-side pooling')
  })
})
