Rails.application.configure do
  config.cache_classes = true
  config.eager_load = true
  config.consider_all_requests_local = false

  # Heroku: logs go to stdout, one line per event.
  config.log_level = ENV.fetch("RAILS_LOG_LEVEL", "info").to_sym
  config.log_tags = [:request_id]
  logger = ActiveSupport::Logger.new($stdout)
  logger.formatter = config.log_formatter
  config.logger = ActiveSupport::TaggedLogging.new(logger)

  config.active_support.report_deprecations = false if config.active_support.respond_to?(:report_deprecations=)
  config.active_support.deprecation = :notify
  config.active_record.dump_schema_after_migration = false
  config.i18n.fallbacks = true
end
