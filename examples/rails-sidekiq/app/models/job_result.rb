# One row per job id (unique): enqueued by the web, then counted by the job on every attempt and on
# completion, so "done exactly once" is `completions = 1` for every row.
class JobResult < ApplicationRecord
  # Inserts the ids that are not there yet; returns those (an id sent twice is enqueued once).
  def self.enqueue(ids)
    now = Time.current
    rows = ids.map { |id| {job_id: id, attempts: 0, completions: 0, enqueued_at: now} }
    insert_all(rows, unique_by: :job_id, returning: [:job_id]).rows.flatten
  end

  def self.totals
    row = connection.select_one(<<~SQL)
      SELECT count(*) AS jobs, count(finished_at) AS finished, coalesce(sum(attempts), 0) AS attempts,
        count(*) FILTER (WHERE attempts > 1) AS retried, count(*) FILTER (WHERE completions > 1) AS completed_twice
      FROM job_results
    SQL
    row.transform_values(&:to_i)
  end
end
