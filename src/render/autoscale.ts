// tsq:autoscale's output: the step document of spec §10 (what `--json` prints) and one human line per type.
import type {Decision} from '../core/plans/autoscale/decide.js'
import type {QueueReading} from '../core/model/queue-readings.js'

/** One step, exactly the keys spec §10 binds. */
export interface StepDocument {
  app: string
  /** ISO time of the step. */
  at: string
  applied: boolean
  decisions: Array<{
    type: string
    from: number
    to: number
    reason: string
    latencyMs: number
    queues: Array<Pick<QueueReading, 'name' | 'backend' | 'waiting' | 'active' | 'delayed' | 'latencyMs'>>
    budgetMax: number | null
  }>
}

export function stepDocument(app: string, now: number, applied: boolean, decisions: readonly Decision[]): StepDocument {
  return {
    app, at: new Date(now).toISOString(), applied,
    decisions: decisions.map(d => ({
      type: d.type, from: d.from, to: d.to, reason: d.reason, latencyMs: d.latencyMs,
      queues: d.queues.map(q => ({name: q.name, backend: q.backend, waiting: q.waiting, active: q.active, delayed: q.delayed, latencyMs: q.latencyMs})),
      budgetMax: d.budgetMax,
    })),
  }
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`

/** `default 12.3s 40w 2a 0d`: a queue's latency and depth. */
function renderQueue(q: StepDocument['decisions'][number]['queues'][number]): string {
  return `${q.name} ${secs(q.latencyMs)} ${q.waiting}w${q.active === null ? '' : ` ${q.active}a`} ${q.delayed}d`
}

/** One line per type: `2026-…Z worker [default 95s 200w 1a 0d] 1 → 2 (applied): reason`. */
export function renderStep(doc: StepDocument, dryRun: boolean): string[] {
  return doc.decisions.map(d => {
    const change = d.from === d.to ? `${d.from} → ${d.to}` : `${d.from} → ${d.to}${dryRun ? ' (dry run)' : doc.applied ? '' : ' (not applied)'}`
    return `${doc.at} ${d.type} [${d.queues.map(renderQueue).join(', ') || 'no queues read'}] ${change}: ${d.reason}`
  })
}
