// What the budget of spec section 9 predicts for the Rails example, per process type and server, from its settings.
// integrator: replace with tsq:doctor --local --json's numbers (the doctor reads the same settings from the
// app's Procfile, config files and config vars once it reads Ruby apps).

export interface RailsFormation {
  web: {dynos: number, /** Puma workers (WEB_CONCURRENCY); 0 = single mode = 1 process. */ workers: number, threads: number,
    /** ActiveRecord pool of a web process. */ pool: number, /** Sidekiq client pool of a web process. */ clientPool: number}
  worker: {dynos: number, concurrency: number, /** ActiveRecord pool of the Sidekiq process. */ pool: number,
    /** Sidekiq <= 6: the server's Redis pool size (`size:` of configure_server, else concurrency + 5). */ serverPool: number}
}

export interface PerType {
  web: number
  worker: number
}

/** Spec section 9's table: upper bounds of connections per type, summed over dynos and processes. */
export function predictedPeaks(f: RailsFormation): {postgres: PerType, redis: PerType} {
  const webProcesses = f.web.dynos * Math.max(1, f.web.workers)
  return {
    postgres: {
      web: webProcesses * Math.min(f.web.pool, f.web.threads),
      worker: f.worker.dynos * Math.min(f.worker.pool, f.worker.concurrency),
    },
    redis: {
      // The client pool is lazy: at most one connection per thread that enqueues at once.
      web: webProcesses * Math.min(f.web.threads, f.web.clientPool),
      worker: f.worker.dynos * f.worker.serverPool,
    },
  }
}
