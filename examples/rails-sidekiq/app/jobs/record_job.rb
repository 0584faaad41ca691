# Works on one job id: counts the attempt, keeps the database connection for `ms` milliseconds (as a job
# that reads, calls an API and writes back does: ActiveRecord leases a connection to the thread at its
# first query and returns it when the job ends), then marks the row finished.
class RecordJob
  include Sidekiq::Worker
  sidekiq_options queue: "default", retry: 5

  def perform(job_id, ms = 5)
    JobResult.where(job_id: job_id).update_all(["attempts = attempts + 1, worker = ?", ENV.fetch("DYNO", "worker.local")])
    sleep(ms.to_f / 1000)
    JobResult.where(job_id: job_id).update_all(["completions = completions + 1, finished_at = coalesce(finished_at, ?)", Time.current])
  end
end
