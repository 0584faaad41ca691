// The guide-shaped Rails app (Puma + Sidekiq) for the unit tests of the core: its files from
// test/fixtures/rails-configs, a Gemfile.lock of a chosen Sidekiq version, and Heroku Key-Value Store mini
// (20 clients) beside a Postgres that is not the binding limit unless asked.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {AppState, Checkout, FormationEntry} from '../../../src/core/model/app-state.js'
import {appState, kvs, pg} from './checks/fixtures.js'

export const railsFixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/rails-configs', name), 'utf8')

export const railsLock = (sidekiq: string) => `GEM
  remote: https://rubygems.org/
  specs:
    puma (5.6.5)
      nio4r (~> 2.0)
    rails (6.1.7.10)
    sidekiq (${sidekiq})
      connection_pool (>= 2.2.2)

PLATFORMS
  ruby

DEPENDENCIES
  puma
  rails
  sidekiq
`

/** config/puma.rb, config/sidekiq.yml (`:concurrency: 20` on line 2) and database.yml as the guide has them. */
export const guideCheckout = (sidekiq: string, extra: Checkout['files'] = {}): Checkout => ({dir: '.', files: {
  'Gemfile.lock': {text: railsLock(sidekiq)},
  'config/puma.rb': {text: railsFixture('puma-guide.rb')},
  'config/sidekiq.yml': {text: railsFixture('sidekiq-guide.yml')},
  'config/database.yml': {text: railsFixture('database-rails-6.1.yml')},
  'config/initializers/sidekiq.rb': {error: 'config/initializers/sidekiq.rb: not found'},
  'config/initializers/tsq.rb': {error: 'config/initializers/tsq.rb: not found'},
  ...extra,
}})

export const guideFormation = (web = 1, worker = 1): FormationEntry[] => [
  {type: 'web', quantity: web, size: 'standard-1x', command: 'bundle exec puma -C config/puma.rb'},
  {type: 'worker', quantity: worker, size: 'standard-1x', command: 'bundle exec sidekiq -e production -C config/sidekiq.yml'},
]

/** WEB_CONCURRENCY=2, RAILS_MAX_THREADS=5; KVS mini and Postgres `postgres` (default essential-2: 40). */
export function guideOnMini(checkout: Checkout, formation = guideFormation(), postgres = 'essential-2'): AppState {
  return {...appState({addons: [kvs('mini'), pg(postgres)], config: {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'}, formation}), checkout}
}
