// Each library-major project of vitest.config.ts really runs the runtime on its majors (spec §13): in the
// test process (Vite aliases) and in the app processes the tests start (Node resolve hook), so a project
// that silently fell back to the default copies would fail here rather than test BullMQ 5 twice.
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import bullmqPackage from 'bullmq/package.json' with {type: 'json'}
import ioredisPackage from 'ioredis/package.json' with {type: 'json'}
import {describe, expect, it} from 'vitest'
import {dynoEnv, ROOT} from './harness.js'

const expected = Object.fromEntries((process.env.TEST_LIB_MAJORS ?? '').split(',').filter(Boolean).map(pair => pair.split('=')))
/** `version` as precise as the project names it: `6` for 6.7.6, `5.13.1` for 5.13.1. */
const as = (version: string | null, lib: string) => {
  const named = expected[lib] ?? ''
  return version?.split('.').slice(0, named.split('.').length).join('.')
}

describe('the BullMQ and ioredis versions under test', () => {
  it('the project names its majors', () => {
    expect(Object.keys(expected).sort()).toEqual(['bullmq', 'ioredis'])
  })

  it('the test process loads them', () => {
    expect({bullmq: as(bullmqPackage.version, 'bullmq'), ioredis: as(ioredisPackage.version, 'ioredis')}).toEqual(expected)
  })

  it('an app process started with a dyno\'s environment loads them', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'test/fixtures/runtime/lib-versions.mjs')], {cwd: ROOT, env: dynoEnv({}), encoding: 'utf8'})
    const versions = JSON.parse(out) as {bullmq: string | null, ioredis: string | null}
    expect({bullmq: as(versions.bullmq, 'bullmq'), ioredis: as(versions.ioredis, 'ioredis')}).toEqual(expected)
  })
})
