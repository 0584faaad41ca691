// Importing heroku-tsq/runtime starts nothing: no connection, no timer, no signal handler (spec §1, §7).
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ensureBuilt, ROOT} from './harness.js'

interface Probe {
  /** Async resources created during the import, by async_hooks type. */
  created: Record<string, number>
  listeners: {before: Record<string, number>, after: Record<string, number>}
  exports: string[]
}

// async_hooks types of what "starts something": timers, immediates, signal watchers, sockets, connects,
// DNS lookups and queries, pipes, child processes. (Reading module files and Node's dns module setting up
// its resolver channel are not.)
const STARTED = ['Timeout', 'Immediate', 'SIGNALWRAP', 'TCPWRAP', 'TCPCONNECTWRAP', 'TCPSERVERWRAP', 'TLSWRAP',
  'PIPEWRAP', 'PIPECONNECTWRAP', 'UDPWRAP', 'GETADDRINFOREQWRAP', 'QUERYWRAP', 'PROCESSWRAP', 'WORKER']

function probe(specifier: string): Probe {
  const out = execFileSync(process.execPath, [join(ROOT, 'test/fixtures/runtime/import-probe.mjs'), specifier], {cwd: ROOT, encoding: 'utf8'})
  return JSON.parse(out) as Probe
}

const started = (p: Probe) => Object.keys(p.created).filter(type => STARTED.includes(type))

beforeAll(() => {
  ensureBuilt()
})

describe('importing the runtime', () => {
  it('import("heroku-tsq/runtime") in a fresh process creates no timer, socket or signal watcher and adds no process listener', () => {
    const result = probe('heroku-tsq/runtime')
    expect(result.exports).toEqual(expect.arrayContaining(['run', 'resolveSettings', 'createPgPool', 'createRedis', 'createQueue', 'createWorker']))
    expect(started(result)).toEqual([])
    expect(result.listeners.after).toEqual(result.listeners.before)
  })

  it('the same probe reports a module that starts an unref\'d timer and a SIGTERM handler at import', () => {
    const result = probe('./busy-module.mjs')
    expect(started(result).sort()).toEqual(['SIGNALWRAP', 'Timeout'])
    expect(result.listeners.after.SIGTERM).toBe(result.listeners.before.SIGTERM! + 1)
  })
})
