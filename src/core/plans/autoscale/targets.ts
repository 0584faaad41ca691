// Which process types the autoscaler scales and where their jobs wait (spec §10): a heroku-tsq worker's BullMQ
// queues, a Sidekiq process's queues (its model's, else Sidekiq's own `queues` set). Pure.
import type {Assessment} from '../../assess/assess.js'
import type {QueueTarget} from '../../model/queue-readings.js'

export interface TargetSelection {
  targets: QueueTarget[]
  /** Asked-for types that cannot be scaled from Redis queues, and why. */
  refused: Array<{type: string, reason: string}>
}

/** The targets for `types` (every worker type whose queues are in Redis when none is named). */
export function selectTargets(assessment: Assessment, types: readonly string[] = []): TargetSelection {
  const targets: QueueTarget[] = []
  const refused: TargetSelection['refused'] = []
  const wanted = types.length > 0 ? [...new Set(types)] : assessment.models.filter(m => m.role === 'worker').map(m => m.type)
  for (const type of wanted) {
    const model = assessment.models.find(m => m.type === type)
    if (!model) {
      refused.push({type, reason: `no process type ${type} (the formation has ${assessment.formation.map(f => f.type).join(', ') || 'none'})`})
      continue
    }
    const stack = model.stack.value
    if (stack === 'sidekiq') targets.push({type, backend: 'sidekiq', queues: model.queues.length > 0 ? [...model.queues] : null})
    else if (stack === 'tsq' && model.role === 'worker') targets.push({type, backend: 'bullmq', queues: [...model.queues]})
    else refused.push({type, reason: `${type} runs ${stack} as a ${model.role} process, not a worker whose queues are in Redis`})
  }
  return {targets, refused}
}
