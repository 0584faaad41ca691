import {describe, expect, it} from 'vitest'
import {assess} from '../../../../src/core/assess/assess.js'
import {checkWorkerLatency} from '../../../../src/core/checks/latency.js'
import type {TypeQueues} from '../../../../src/core/model/queue-readings.js'
import {appStateOf} from '../../../helpers/app-state.js'

const state = (config: Record<string, string> = {}) => appStateOf({config: {REDIS_URL: 'redis://127.0.0.1:6379', ...config},
  formation: [{type: 'worker', quantity: 2, size: 'standard-1x'}]})
const readings = (latencyMs: number): TypeQueues[] => [{type: 'worker', backend: 'bullmq', error: null,
  queues: [{name: 'default', backend: 'bullmq', waiting: 40, active: 5, delayed: 1, latencyMs}]}]
const check = (queues: TypeQueues[], config: Record<string, string> = {}) =>
  checkWorkerLatency({assessment: assess(state(config)), state: state(config), local: false, live: true, queues})

describe('worker.latency', () => {
  it('ok within 60 s, with each queue\'s latency and depth', () => {
    expect(check(readings(59_000))).toMatchObject({status: 'ok', message: 'Queue latency within 60 s: worker: default 59 s, 40 waiting, 5 active, 1 delayed'})
  })

  it('warns above 60 s, naming tsq:autoscale and one more dyno', () => {
    const c = check(readings(61_000))!
    expect(c).toMatchObject({status: 'warn', fix: 'heroku tsq:autoscale --once -a demo (more dynos, within the connection limits); or heroku tsq:scale worker=3 -a demo'})
    expect(c.message).toMatch(/^Jobs wait longer than 60 s: worker 61 s\./)
  })

  it('TSQ_TARGET_LATENCY sets the threshold', () => {
    expect(check(readings(20_000), {TSQ_TARGET_LATENCY: '15'})).toMatchObject({status: 'warn'})
    expect(check(readings(20_000), {TSQ_TARGET_LATENCY: 'soon'})).toMatchObject({status: 'ok'})
  })

  it('warns when the queues could not be read; absent without readings', () => {
    expect(check([{type: 'worker', backend: 'bullmq', queues: [], error: 'cannot read the queues in Redis: ECONNREFUSED'}]))
      .toMatchObject({status: 'warn', message: 'Could not read the queues of worker. worker: not read (cannot read the queues in Redis: ECONNREFUSED)'})
    expect(check([])).toBeNull()
  })
})
