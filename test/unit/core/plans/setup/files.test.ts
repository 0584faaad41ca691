// The Procfile setup merges and the Rails config files it generates, as setup shows them when it leaves them
// alone (no --force): the diff names each changed line, and no literal secret of the user's file reaches it.
import {describe, expect, it} from 'vitest'
import {planProcfile} from '../../../../../src/core/plans/setup/files.js'
import {planRailsFiles} from '../../../../../src/core/plans/setup/rails.js'

describe('setup diffs mask the secrets of the files they compare', () => {
  it('Procfile: an inline API_TOKEN=… on a kept line shows masked, the changed line marked', () => {
    const existing = 'web: API_TOKEN=SENTINELprocfileToken node web.js\nworker: node worker.js\n'
    const plan = planProcfile({existing, scripts: null, commands: {worker: 'node worker.js --concurrency 2'}, force: false})
    expect(plan.change).toBeNull()
    expect(plan.skipped).toEqual([{kind: 'procfile', reason: 'Procfile differs from what setup would write and is left alone; run again with --force to write it',
      diff: [' web: API_TOKEN=***** node web.js', '-worker: node worker.js', '+worker: node worker.js --concurrency 2']}])
  })

  it('config/puma.rb the app has (a literal secret in it): the skipped diff masks it and still removes the line', () => {
    const puma = 'workers 2\nactivate_control_app "tcp://127.0.0.1:9293", { auth_token: "SENTINELpumaToken" }\n'
    const plan = planRailsFiles({dir: '.', files: {'config/puma.rb': {text: puma}}}, false, ['default'])
    const skipped = plan.skipped.find(s => s.reason.startsWith('config/puma.rb'))!
    expect(skipped.diff).toContain('-activate_control_app "tcp://127.0.0.1:9293", { auth_token: "*****" }')
    expect(JSON.stringify(plan.skipped)).not.toContain('SENTINEL')
  })
})
