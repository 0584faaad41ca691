import {describe, expect, it} from 'vitest'
import {SCALE_FORMS, applyScale, parseScaleArgs, renderFormation, splitScaleArgs} from '../../../../src/core/model/formation.js'
import {problemsOf} from './scale-problems.js'

const current = [{type: 'web', quantity: 2, size: 'standard-2x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}, {type: 'urgent-worker', quantity: 3, size: 'basic'}]

describe('parseScaleArgs', () => {
  it.each([
    {args: ['web=3'], want: [{arg: 'web=3', type: 'web', op: '=', quantity: 3, size: null}]},
    {args: ['worker=2:Standard-2X'], want: [{arg: 'worker=2:Standard-2X', type: 'worker', op: '=', quantity: 2, size: 'standard-2x'}]},
    {args: ['web=2:dyno-1c-0.5gb'], want: [{arg: 'web=2:dyno-1c-0.5gb', type: 'web', op: '=', quantity: 2, size: 'dyno-1c-0.5gb'}]},
    {args: ['worker+2'], want: [{arg: 'worker+2', type: 'worker', op: '+', quantity: 2, size: null}]},
    {args: ['worker-1'], want: [{arg: 'worker-1', type: 'worker', op: '-', quantity: 1, size: null}]},
    {args: ['urgent-worker-1'], want: [{arg: 'urgent-worker-1', type: 'urgent-worker', op: '-', quantity: 1, size: null}]},
    {args: ['WEB=0'], want: [{arg: 'WEB=0', type: 'web', op: '=', quantity: 0, size: null}]},
  ])('reads $args', ({args, want}) => {
    expect(parseScaleArgs(args)).toEqual(want)
  })

  it('reads comma- and space-separated arguments the same way', () => {
    expect(splitScaleArgs(['web=1,worker=2', 'clock=1 release=0'])).toEqual(['web=1', 'worker=2', 'clock=1', 'release=0'])
    expect(parseScaleArgs(['web=1,worker=2'])).toEqual(parseScaleArgs(['web=1', 'worker=2']))
  })

  it.each([
    {arg: 'worker=abc', problem: `"worker=abc": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {arg: 'worker=-1', problem: `"worker=-1": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {arg: 'worker=1.5', problem: `"worker=1.5": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {arg: 'worker=10001', problem: `"worker=10001": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {arg: 'worker=', problem: `"worker=": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {arg: 'worker', problem: `"worker" is not a scale argument: use ${SCALE_FORMS}`},
    {arg: '=2', problem: `"=2" is not a scale argument: use ${SCALE_FORMS}`},
    {arg: 'worker+1:standard-2x', problem: '"worker+1:standard-2x": a size goes only with TYPE=N:SIZE'},
    {arg: 'worker=1:huge$', problem: `"worker=1:huge$": "huge$" is not a dyno size name (letters, digits, "-" and ".", e.g. standard-2x or dyno-1c-0.5gb): use ${SCALE_FORMS}`},
  ])('rejects $arg, naming it and the accepted forms', ({arg, problem}) => {
    expect(problemsOf(() => parseScaleArgs([arg]))).toEqual([problem])
  })

  it('rejects a type given twice, and reports every bad argument at once', () => {
    expect(problemsOf(() => parseScaleArgs(['web=1', 'worker=abc', 'web+1']))).toEqual([
      `"worker=abc": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`,
      '"web+1": process type web is given more than once',
    ])
  })
})

describe('applyScale', () => {
  it('sets absolute counts and sizes and adds or subtracts relative ones, leaving other types alone', () => {
    const next = applyScale(current, parseScaleArgs(['web=1:performance-m', 'worker+2', 'urgent-worker-3']))
    expect(next).toEqual([{type: 'web', quantity: 1, size: 'performance-m'}, {type: 'worker', quantity: 3, size: 'standard-1x'}, {type: 'urgent-worker', quantity: 0, size: 'basic'}])
  })

  it('does not modify the formation it is given', () => {
    const copy = structuredClone(current)
    applyScale(current, parseScaleArgs(['web=5']))
    expect(current).toEqual(copy)
  })

  it('rejects unknown types (naming the known ones) and counts below zero, all at once', () => {
    expect(problemsOf(() => applyScale(current, parseScaleArgs(['clock=1', 'worker-2'])))).toEqual([
      '"clock=1": no process type clock in the formation (known: web, worker, urgent-worker)',
      '"worker-2": worker has 1 dynos; it cannot go below 0',
    ])
  })

  it('says "none" when the app has no process types', () => {
    expect(problemsOf(() => applyScale([], parseScaleArgs(['web=1'])))).toEqual(['"web=1": no process type web in the formation (known: none)'])
  })
})

describe('renderFormation', () => {
  it('prints the ps:scale form, which parses back to the same formation', () => {
    const text = renderFormation(current)
    expect(text).toBe('web=2:standard-2x worker=1:standard-1x urgent-worker=3:basic')
    expect(applyScale(current.map(f => ({...f, quantity: 0, size: 'eco'})), parseScaleArgs([text]))).toEqual(current)
  })
})
