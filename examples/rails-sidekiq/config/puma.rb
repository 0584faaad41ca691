# The guide's config/puma.rb ("Rails, Sidekiq and Puma on Heroku"): 2 processes × RAILS_MAX_THREADS threads
# per web dyno, the app loaded once in the master before it forks.
workers Integer(ENV.fetch("WEB_CONCURRENCY") { 2 })
threads_count = Integer(ENV.fetch("RAILS_MAX_THREADS") { 5 })
threads threads_count, threads_count

preload_app!

port        ENV.fetch("PORT") { 3000 }
environment ENV.fetch("RAILS_ENV") { "development" }

on_worker_boot do
  # Worker-specific setup for Rails 4.1+
  ActiveRecord::Base.establish_connection
end
