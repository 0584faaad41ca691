import {describe, expect, it} from 'vitest'
import {planRestart, type RestartPolicy} from '../../../src/runtime/restart.js'

const policy: RestartPolicy = {initialDelayMs: 1000, maxDelayMs: 8000, stableAfterMs: 60_000}

describe('planRestart', () => {
  it('doubles the delay for each crash in a row and caps it at maxDelayMs', () => {
    let crashes = 0
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      const plan = planRestart(crashes, 500, policy)
      crashes = plan.crashes
      delays.push(plan.delayMs)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
  })

  it('a process that ran for stableAfterMs before crashing is restarted after the initial delay again', () => {
    expect(planRestart(5, 60_000, policy)).toEqual({delayMs: 1000, crashes: 1})
    expect(planRestart(5, 59_999, policy)).toEqual({delayMs: 8000, crashes: 6})
  })
})
