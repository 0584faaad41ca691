require_relative "boot"

require "rails"
# Only the frameworks this API app uses.
require "active_model/railtie"
require "active_record/railtie"
require "action_controller/railtie"

# Require the gems listed in Gemfile (sidekiq, redis, pg, puma).
Bundler.require(*Rails.groups)

module RailsSidekiq
  class Application < Rails::Application
    config.load_defaults 6.1
    config.api_only = true
    # Jobs are plain Sidekiq workers (app/jobs); Active Job would go through the same Sidekiq client.
    config.time_zone = "UTC"
  end
end
