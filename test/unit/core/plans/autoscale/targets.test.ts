import {describe, expect, it} from 'vitest'
import {assess} from '../../../../../src/core/assess/assess.js'
import {selectTargets} from '../../../../../src/core/plans/autoscale/targets.js'
import {appStateOf} from '../../../../helpers/app-state.js'

const state = appStateOf({
  config: {REDIS_URL: 'redis://127.0.0.1:6379', TSQ_URGENT_QUEUES: 'urgent,mail', TSQ_SIDEKIQ_STACK: 'sidekiq', TSQ_SIDEKIQ_ROLE: 'worker'},
  formation: [
    {type: 'web', quantity: 1, size: 'standard-1x', command: 'node web.js'},
    {type: 'worker', quantity: 1, size: 'standard-1x', command: 'node worker.js'},
    {type: 'urgent', quantity: 0, size: 'standard-1x', command: 'node worker.js'},
    {type: 'sidekiq', quantity: 1, size: 'standard-1x', command: 'bundle exec sidekiq'},
  ],
})

describe('selectTargets', () => {
  it('every worker type by default: BullMQ for heroku-tsq workers with their queues, Sidekiq by stack', () => {
    expect(selectTargets(assess(state)).targets).toEqual([
      {type: 'worker', backend: 'bullmq', queues: ['default']},
      {type: 'urgent', backend: 'bullmq', queues: ['urgent', 'mail']},
      {type: 'sidekiq', backend: 'sidekiq', queues: ['default']},
    ])
  })

  it('named types only; a web type or an unknown one is refused with the reason', () => {
    const {targets, refused} = selectTargets(assess(state), ['urgent', 'web', 'nope'])
    expect(targets.map(t => t.type)).toEqual(['urgent'])
    expect(refused).toEqual([
      {type: 'web', reason: 'web runs tsq as a web process, not a worker whose queues are in Redis'},
      {type: 'nope', reason: 'no process type nope (the formation has web, worker, urgent, sidekiq)'},
    ])
  })
})
