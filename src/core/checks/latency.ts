// `worker.latency` (spec §10): how long jobs wait before a worker takes them, from the same queue readings as
// tsq:autoscale. Warns above 60 s, or TSQ_TARGET_LATENCY seconds. Pure: the readings were taken by src/probe.
import {type Check, type CheckContext, fixScale, heroku, ok, warn} from './common.js'
import {latencyOf} from '../model/queue-readings.js'

/** Seconds of latency above which the check warns, unless TSQ_TARGET_LATENCY says otherwise. */
export const DEFAULT_LATENCY_WARN_S = 60

const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`

export function checkWorkerLatency(ctx: CheckContext): Check | null {
  const readings = ctx.queues ?? []
  if (readings.length === 0) return null
  const raw = ctx.assessment.config.TSQ_TARGET_LATENCY
  const configured = raw !== undefined && /^\d+(\.\d+)?$/.test(raw.trim()) && Number(raw) > 0 ? Number(raw) : null
  const limitMs = (configured ?? DEFAULT_LATENCY_WARN_S) * 1000
  const source = configured === null ? `${DEFAULT_LATENCY_WARN_S} s` : `TSQ_TARGET_LATENCY ${configured} s`
  const summary = readings.map(r => r.error ? `${r.type}: not read (${r.error})`
    : `${r.type}: ${r.queues.map(q => `${q.name} ${secs(q.latencyMs)}, ${q.waiting} waiting${q.active === null ? '' : `, ${q.active} active`}, ${q.delayed} delayed`).join('; ') || 'no queues'}`).join(' | ')
  const slow = readings.filter(r => !r.error && latencyOf(r.queues) > limitMs)
  if (slow.length > 0) {
    const fixes = slow.map(r => {
      const dynos = ctx.assessment.formation.find(f => f.type === r.type)?.quantity ?? 0
      return fixScale(ctx, r.type, dynos + 1)
    })
    const auto = ctx.local ? [] : [`${heroku(ctx, 'tsq:autoscale --once')} (more dynos, within the connection limits)`]
    return warn('worker.latency', `Jobs wait longer than ${source}: ${slow.map(r => `${r.type} ${secs(latencyOf(r.queues))}`).join(', ')}. ${summary}`,
      [...auto, ...fixes].join('; or '))
  }
  const unread = readings.filter(r => r.error)
  if (unread.length > 0) {
    return warn('worker.latency', `Could not read the queues of ${unread.map(r => r.type).join(', ')}. ${summary}`,
      'check that Redis accepts connections from here with the app\'s Redis URL')
  }
  return ok('worker.latency', `Queue latency within ${source}: ${summary}`)
}
