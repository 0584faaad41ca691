# POST /jobs?count=N&ms=M&id=PREFIX — records N rows as enqueued (ActiveRecord) and pushes N RecordJob
# jobs to Sidekiq in one round trip. Ids are "<PREFIX>-<i>"; an id given twice is enqueued once.
class JobsController < ApplicationController
  MAX_COUNT = 1000

  def create
    count = Integer(params.fetch(:count, 1)).clamp(1, MAX_COUNT)
    ms = Integer(params.fetch(:ms, 5)).clamp(0, 60_000)
    prefix = params[:id].presence || SecureRandom.hex(6)
    ids = Array.new(count) { |i| "#{prefix}-#{i}" }

    fresh = JobResult.enqueue(ids)
    Sidekiq::Client.push_bulk("class" => RecordJob, "args" => fresh.map { |id| [id, ms] }) if fresh.any?
    render json: {ids: ids, enqueued: fresh.size}, status: :accepted
  rescue ArgumentError => e
    render json: {error: e.message}, status: :bad_request
  end
end
