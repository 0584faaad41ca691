// `jobs.consumer` (spec §14): the production Active Job adapter names a backend; some process type of the
// formation must consume it at a quantity above 0 — Solid Queue in bin/jobs or inside Puma, a Sidekiq type,
// a GoodJob type (external mode) or Puma in GoodJob's async mode — or every job it enqueues waits forever. Pure.
import {type Check, type CheckContext, fail, heroku, listJoin, ok, plural, warn} from './common.js'
import type {JobBackend} from '../stacks/model.js'

const BACKENDS: Record<string, JobBackend> = {sidekiq: 'sidekiq', solid_queue: 'solid_queue', good_job: 'good_job'}
const NAME: Record<JobBackend, string> = {sidekiq: 'Sidekiq', solid_queue: 'Solid Queue', good_job: 'GoodJob'}
/** The Procfile line that starts each backend's consumer. */
const PROCFILE: Record<JobBackend, string> = {
  solid_queue: 'jobs: bin/jobs', sidekiq: 'worker: bundle exec sidekiq -C config/sidekiq.yml', good_job: 'worker: bundle exec good_job start',
}

export function checkJobsConsumer(ctx: CheckContext): Check | null {
  const {jobs, processes, models} = ctx.assessment
  const adapter = jobs.adapter
  if (!adapter) return null
  const backend = BACKENDS[adapter.value]
  const where = `config.active_job.queue_adapter = :${adapter.value} (${adapter.source})`
  if (!backend) return ok('jobs.consumer', `${where}: not a backend tsq models, so its consumers are not checked`)
  const consumers = models.flatMap((m, i) => (m.consumes ?? []).filter(c => c.backend === backend).map(c => ({p: processes[i]!, c})))
  const running = consumers.filter(x => x.p.dynos > 0)
  const sure = running.filter(x => !x.c.uncertain)
  const types = (xs: typeof consumers) => listJoin(xs.map(x => `${x.p.type} (${plural(x.p.dynos, 'dyno')})`))
  if (sure.length > 0) return ok('jobs.consumer', `${where}: consumed by ${types(sure)}`)
  const name = NAME[backend]
  const procfile = `add \`${PROCFILE[backend]}\` to the Procfile${ctx.local ? '' : ', deploy, then ' + heroku(ctx, `ps:scale ${PROCFILE[backend].split(':')[0]}=1`)}`
  if (running.length > 0) {
    return warn('jobs.consumer', `${where}: only ${types(running)} may consume it: ${running.map(x => x.c.uncertain).join('; ')}`,
      `${procfile}; or make that condition one tsq can read`)
  }
  const idle = consumers.filter(x => x.p.dynos === 0)
  const message = `${where}, but no process type runs ${name} at a quantity above 0: every job it enqueues waits forever${idle.length > 0 ? ` (${listJoin(idle.map(x => x.p.type))} at 0)` : ''}`
  const fixes: string[] = []
  for (const x of idle.slice(0, 1)) fixes.push(ctx.local ? `run it: --formation ${x.p.type}=1` : heroku(ctx, `ps:scale ${x.p.type}=1`))
  const plugin = jobs.pumaPlugin
  const web = processes.find(p => p.stack === 'puma' && p.dynos > 0)
  if (backend === 'solid_queue' && plugin?.variable && web) {
    fixes.push(`run Solid Queue inside Puma (config/puma.rb:${plugin.line}): ${ctx.local ? `set ${plugin.variable}=true in .env` : heroku(ctx, `config:set ${plugin.variable}=true`)}`)
  }
  fixes.push(procfile)
  return fail('jobs.consumer', message, fixes.join('; or '))
}
