# The guide's initializer: Sidekiq reads REDIS_URL by itself; Heroku Key-Value Store's rediss:// URL needs
# its self-signed certificate accepted.
redis = {url: ENV["REDIS_URL"]}
redis[:ssl_params] = {verify_mode: OpenSSL::SSL::VERIFY_NONE} if ENV["REDIS_URL"].to_s.start_with?("rediss://")

Sidekiq.configure_server { |config| config.redis = redis }
Sidekiq.configure_client { |config| config.redis = redis }

# redis-rb 4.8 warns about Sidekiq 6.4's own calls (brpop, sadd) on every fetch; not this app's concern.
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
