import {describe, expect, it} from 'vitest'
import {diffLines, planUnitFiles} from '../../../../../src/core/plans/export/unit-files.js'
import {compactDiff} from '../../../../../src/render/export.js'

const mine = (body: string) => `[Unit]\nPartOf=myapp.target\n${body}`

describe('planUnitFiles', () => {
  it('creates missing files, leaves identical ones, and diffs the ones that differ', () => {
    const units = [{name: 'myapp-web.1.service', text: mine('A=1\n')}, {name: 'myapp-web.2.service', text: mine('A=2\n')}, {name: 'myapp.target', text: 'T\n'}]
    const existing = new Map([['myapp-web.1.service', mine('A=1\n')], ['myapp-web.2.service', mine('A=1\n')]])
    const plan = planUnitFiles('myapp', units, existing)
    expect(plan.files.map(f => [f.name, f.action])).toEqual([['myapp-web.1.service', 'unchanged'], ['myapp-web.2.service', 'update'], ['myapp.target', 'create']])
    expect(plan.files[1]!.diff).toEqual([' [Unit]', ' PartOf=myapp.target', '-A=1', '+A=2'])
    expect(plan.stale).toEqual([])
  })

  it('lists this app\'s units the formation no longer has, never another app\'s or a file it did not write', () => {
    const existing = new Map([
      ['myapp-web.1.service', mine('')], ['myapp-web.3.service', mine('')], ['myapp-web.2.service', mine('')],
      ['myapp-admin-web.1.service', '[Unit]\nPartOf=myapp-admin.target\n'], ['myapp-cron.1.service', '[Unit]\nDescription=hand-written\n'],
    ])
    expect(planUnitFiles('myapp', [{name: 'myapp-web.1.service', text: mine('')}], existing).stale).toEqual(['myapp-web.2.service', 'myapp-web.3.service'])
  })
})

describe('diffLines', () => {
  it('keeps common lines and puts removals before additions', () => {
    expect(diffLines('a\nb\nc\n', 'a\nx\nc\nd\n')).toEqual([' a', '-b', '+x', ' c', '+d'])
    expect(diffLines('', 'a\n')).toEqual(['+a'])
    expect(diffLines('a\n', 'a\n')).toEqual([' a'])
  })
})

describe('compactDiff', () => {
  it('shows each change with one line of context and … for what is left out', () => {
    const diff = [' 1', ' 2', ' 3', '-4', '+5', ' 6', ' 7', ' 8', '+9']
    expect(compactDiff(diff)).toEqual([' …', ' 3', '-4', '+5', ' 6', ' …', ' 8', '+9'])
  })
})
