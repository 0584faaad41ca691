# GET /?ms=M — totals of the results table; `ms` holds the request's database connection that long
# (pg_sleep), as a slow query would, so that concurrent requests fill the pool.
# GET /results/:id — one job's row, 404 until it was enqueued.
class ResultsController < ApplicationController
  def index
    ms = Integer(params.fetch(:ms, 0)).clamp(0, 10_000)
    JobResult.connection.select_value("SELECT pg_sleep(#{ms / 1000.0})") if ms.positive?
    render json: JobResult.totals
  end

  def show
    row = JobResult.find_by(job_id: params[:id])
    return head :not_found unless row

    render json: row.as_json(only: %i[job_id attempts completions enqueued_at finished_at worker])
  end
end
