// The Rails example with Action Cable on its Redis adapter and the Redis cache store (spec §14 proof), written over
// a prepared copy: the actioncable gem bundled from Debian's packages, config/cable.yml, a channel every WebSocket
// client subscribes to, a cache store with a pool of 5, a web endpoint that reads the cache from its threads and
// broadcasts, and a Sidekiq job that broadcasts and reads the cache. Cache connections carry a tsq name made when
// each opens (so a Puma worker's name has its own pid); Action Cable names its own `ActionCable-PID-<pid>`.
import {readFileSync, writeFileSync, mkdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {railsProcfile, railsSetupFiles} from '../../../../src/core/plans/setup/rails-templates.js'
import {run} from '../../../../scripts/lib/rails-app.js'
import type {RailsApp} from './rails-app.js'

export const CACHE_POOL = 5

const FILES: Record<string, string> = {
  'config/cable.yml': `production:
  adapter: redis
  url: <%= ENV.fetch("REDIS_URL") { "redis://localhost:6379/1" } %>
  channel_prefix: proof_production
`,
  'app/channels/application_cable/connection.rb': 'module ApplicationCable\n  class Connection < ActionCable::Connection::Base\n  end\nend\n',
  'app/channels/application_cable/channel.rb': 'module ApplicationCable\n  class Channel < ActionCable::Channel::Base\n  end\nend\n',
  'app/channels/load_channel.rb': 'class LoadChannel < ApplicationCable::Channel\n  def subscribed\n    stream_from "load"\n  end\nend\n',
  // GET /cache?n=N&ms=M: N cache reads, each holding its pool connection M ms (a large value over a slow link),
  // then one broadcast from the web process.
  'app/controllers/cache_controller.rb': `class CacheController < ApplicationController
  def show
    n = Integer(params.fetch(:n, 10)).clamp(1, 1000)
    ms = Integer(params.fetch(:ms, 0)).clamp(0, 1000)
    n.times do |i|
      Rails.cache.fetch("proof-#{i % 10}") { "v" * 100 }
      Rails.cache.redis.with { |r| r.get("proof-#{i % 10}"); sleep(ms / 1000.0) } if ms > 0
    end
    ActionCable.server.broadcast("load", {from: ENV["DYNO"], pid: Process.pid})
    render json: {reads: n}
  end
end
`,
  // POST /broadcasts?count=N&ms=M: N jobs, each broadcasting and reading the cache M ms.
  'app/controllers/broadcasts_controller.rb': `class BroadcastsController < ApplicationController
  def create
    count = Integer(params.fetch(:count, 1)).clamp(1, 1000)
    ms = Integer(params.fetch(:ms, 0)).clamp(0, 5000)
    Sidekiq::Client.push_bulk("class" => BroadcastJob, "args" => Array.new(count) { |i| [i, ms] })
    render json: {enqueued: count}, status: :accepted
  end
end
`,
  'app/jobs/broadcast_job.rb': `class BroadcastJob
  include Sidekiq::Worker
  sidekiq_options queue: "default", retry: 0

  def perform(i, ms)
    ActionCable.server.broadcast("load", {job: i, pid: Process.pid})
    Rails.cache.redis.with { |r| r.get("proof-#{i % 10}"); sleep(ms / 1000.0) }
  end
end
`,
}

/**
 * Writes the files tsq:setup generates for a Rails app (its initializer names every Sidekiq and Postgres
 * connection) and the Action Cable and cache overlay into `app`, then bundles actioncable from the installed gems.
 */
export async function addCableAndCache(app: RailsApp): Promise<void> {
  const files = {...Object.fromEntries(railsSetupFiles().map(f => [f.path, f.content])), 'Procfile': railsProcfile({release: true}), ...FILES}
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(app.dir, path)), {recursive: true})
    writeFileSync(join(app.dir, path), text)
  }
  edit(app, 'Gemfile', g => `${g}gem "actioncable", "~> 6.1.7"\n`)
  edit(app, 'config/application.rb', a => a.replace('require "action_controller/railtie"\n', `require "action_controller/railtie"
require "action_cable/engine"

# A Redis client name made when the connection opens: the pid of the process that opens it (a Puma worker's own).
class TsqLazyName
  def initialize(purpose)
    @purpose = purpose
  end

  def to_s
    ["tsq", ENV["DYNO"].to_s.empty? ? "run.local" : ENV["DYNO"], Process.pid, @purpose].join(":")
  end
end
`))
  edit(app, 'config/environments/production.rb', p => p.replace(/end\s*$/, `
  # Rails 6.1: pool_size: makes a ConnectionPool (connection_pool is in the bundle through Sidekiq).
  config.cache_store = :redis_cache_store, {url: ENV["REDIS_URL"], pool_size: ${CACHE_POOL}, id: TsqLazyName.new("cache")}
  config.action_cable.mount_path = nil
  config.action_cable.disable_request_forgery_protection = true
end
`))
  edit(app, 'config/routes.rb', r => r.replace('Rails.application.routes.draw do\n', `Rails.application.routes.draw do
  mount ActionCable.server => "/cable"
  get "/cache", to: "cache#show"
  post "/broadcasts", to: "broadcasts#create"
`))
  await run('bundle', ['install', '--local', '--quiet'], {cwd: app.dir, ms: 180_000})
}

function edit(app: RailsApp, path: string, change: (text: string) => string): void {
  const file = join(app.dir, path)
  const before = readFileSync(file, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`${path}: the overlay's edit did not apply`)
  writeFileSync(file, after)
}
