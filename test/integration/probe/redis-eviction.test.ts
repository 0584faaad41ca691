// redis.eviction against real throwaway redis-servers, judged by tsq:doctor --local as users run it: a BullMQ app
// (heroku-tsq/runtime web + worker) on allkeys-lru fails with the noeviction fix, on noeviction passes, and a
// Redis that refuses CONFIG is read through INFO memory, or warns with the reason when INFO is refused too.
import {Redis} from 'ioredis'
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {Check} from '../../../src/core/checks/index.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {readRedisServer} from '../../../src/probe/index.js'
import {runCommand} from '../../helpers/run-command.js'
import {useThrowawayRedis} from '../../helpers/throwaway-servers.js'
import {useAppDirs} from '../setup/run-setup.js'

const server = useThrowawayRedis()
const appDir = useAppDirs()

async function eviction(url: string, procfile = 'web: node app.js\nworker: node app.js\n'): Promise<Check | undefined> {
  const {dir} = appDir({Procfile: procfile, '.env': `REDIS_URL=${url}\nDATABASE_URL=postgres://app@127.0.0.1:9/app\n`})
  const run = await runCommand(Doctor, ['--local', '--dir', dir, '--json'])
  return (JSON.parse(run.stdout) as DoctorReport).checks.find(c => c.id === 'redis.eviction')
}

describe('redis.eviction', () => {
  it('fails on allkeys-lru for a BullMQ app, naming noeviction', async () => {
    const s = await server({directives: {'maxmemory-policy': 'allkeys-lru', maxmemory: '64mb'}})
    const check = await eviction(s.url)
    expect(check).toMatchObject({status: 'fail'})
    expect(check!.message).toContain('maxmemory-policy allkeys-lru, read by CONFIG GET, live')
    expect(check!.message).toContain('BullMQ then silently lose queued jobs')
    expect(check!.fix).toContain('CONFIG SET maxmemory-policy noeviction')
  })

  it('passes on noeviction, with the memory in use', async () => {
    const s = await server({directives: {'maxmemory-policy': 'noeviction', maxmemory: '64mb'}})
    const check = await eviction(s.url)
    expect(check).toMatchObject({status: 'ok'})
    expect(check!.message).toMatch(/maxmemory-policy noeviction, read by CONFIG GET, live\); memory [\d.]+ MB of 64\.0 MB/)
  })

  it('CONFIG renamed away (as managed Redis does): read from INFO memory instead', async () => {
    const s = await server({renameCommands: {CONFIG: ''}, directives: {'maxmemory-policy': 'volatile-lru'}})
    const check = await eviction(s.url)
    expect(check).toMatchObject({status: 'fail'})
    expect(check!.message).toContain('maxmemory-policy volatile-lru, read by INFO memory, live')
  })

  it('CONFIG and INFO both refused: warns with the reason', async () => {
    const s = await server({renameCommands: {CONFIG: '', INFO: ''}})
    const check = await eviction(s.url)
    expect(check).toMatchObject({status: 'warn'})
    expect(check!.message).toMatch(/Could not read the maxmemory-policy .*CONFIG GET: ERR unknown command .*INFO memory: ERR unknown command/)
    expect(check!.fix).toContain('noeviction')
  })

  it('memory above 80 % of maxmemory warns even on noeviction', async () => {
    const s = await server({directives: {'maxmemory-policy': 'noeviction', maxmemory: '4mb'}})
    const client = new Redis(s.url)
    try {
      // Fill to just under the limit: noeviction then refuses further writes.
      const chunk = 'x'.repeat(64 * 1024)
      for (let i = 0; i < 200; i++) {
        const r = await readRedisServer(s.url)
        const e = r.eviction!
        if (e.usedMemory! > 0.85 * e.maxmemory!) break
        await client.set(`k${i}`, chunk).catch(() => undefined)
      }
    } finally {
      client.disconnect()
    }
    const check = await eviction(s.url)
    expect(check).toMatchObject({status: 'warn'})
    expect(check!.message).toContain('with noeviction a full Redis refuses writes')
  })
})
