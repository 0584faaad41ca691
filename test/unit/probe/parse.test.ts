import {describe, expect, it} from 'vitest'
import {attribute, parseClientList, parseInfo, parseTsqName, programOfName} from '../../../src/probe/parse.js'

const LINE = (id: number, name: string): string =>
  `id=${id} addr=127.0.0.1:5${id} laddr=127.0.0.1:6379 fd=8 name=${name} age=3 idle=0 flags=N db=0 sub=0 psub=0 ` +
  'ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 ' +
  'events=r cmd=client|list user=default redir=-1 resp=2'

describe('parseInfo', () => {
  it('reads field:value lines and skips section headers and blank lines', () => {
    const text = '# Clients\r\nconnected_clients:5\r\nmaxclients:20\r\n\r\n# Stats\r\nrejected_connections:2\r\n'
    expect(parseInfo(text)).toEqual({connected_clients: '5', maxclients: '20', rejected_connections: '2'})
  })

  it('keeps everything after the first colon as the value', () => {
    expect(parseInfo('executable:/usr/bin/redis-server:x')).toEqual({executable: '/usr/bin/redis-server:x'})
  })
})

describe('parseClientList', () => {
  it('returns one record per line with every k=v field', () => {
    const clients = parseClientList(`${LINE(3, 'tsq:web.1:111:producer')}\n${LINE(4, '')}\n`)
    expect(clients).toHaveLength(2)
    expect(clients[0]).toMatchObject({id: '3', name: 'tsq:web.1:111:producer', cmd: 'client|list', flags: 'N'})
    expect(clients[1]).toMatchObject({id: '4', name: ''})
  })

  it('splits a field on its first "=", so a name may contain "="', () => {
    expect(parseClientList('id=7 name=a=b=c age=1')).toEqual([{id: '7', name: 'a=b=c', age: '1'}])
  })

  it('returns no clients for empty text', () => {
    expect(parseClientList('\n')).toEqual([])
  })
})

describe('parseTsqName', () => {
  it('reads dyno, pid and purpose of a runtime Redis connection', () => {
    expect(parseTsqName('tsq:web.1:111:producer')).toEqual({dyno: 'web.1', pid: 111, purpose: 'producer'})
  })

  it('reads a Postgres application_name without a purpose', () => {
    expect(parseTsqName('tsq:urgent-worker.2:4242')).toEqual({dyno: 'urgent-worker.2', pid: 4242, purpose: null})
  })

  it('finds the tsq name after the prefix BullMQ gives a Worker blocking connection', () => {
    expect(parseTsqName('bull:ZGVmYXVsdA==:w:tsq:worker.1:4242:blocking')).toEqual({dyno: 'worker.1', pid: 4242, purpose: 'blocking'})
  })

  it.each([
    ['', 'empty'], ['redis-cli', 'another client'], ['bull:ZGVmYXVsdA==:qe', 'a BullMQ QueueEvents name'],
    ['tsq:web.1:abc:producer', 'a pid that is not a number'], ['tsq:web.1', 'no pid'],
    ['tsq:web.1:111:producer:extra', 'more parts than a tsq name has'], ['mytsq:web.1:111', 'tsq not at a boundary'],
  ])('returns null for %j (%s)', name => {
    expect(parseTsqName(name)).toBeNull()
  })
})

describe('attribute', () => {
  it('groups tsq names by dyno and purpose, sorted, and counts other names as unattributed', () => {
    const names = ['tsq:worker.1:2:consumer', 'tsq:web.1:1:producer', 'tsq:web.1:3:producer', 'psql', null, undefined, '']
    expect(attribute(names, 'db')).toEqual({
      attributed: [{dyno: 'web.1', purpose: 'producer', count: 2}, {dyno: 'worker.1', purpose: 'consumer', count: 1}],
      unattributed: 4,
    })
  })

  it('gives a name without a purpose the default purpose', () => {
    expect(attribute(['tsq:web.1:1', 'tsq:web.1:2'], 'db').attributed).toEqual([{dyno: 'web.1', purpose: 'db', count: 2}])
  })
})

describe('programOfName: untagged Ruby connections named after their process title', () => {
  it('tells puma and sidekiq from the titles Ruby\'s pg gives connections, and nothing from other names', () => {
    expect(programOfName('puma: cluster worker 0: 4242 [app]')).toBe('puma')
    expect(programOfName('puma 5.6.5 (tcp://0.0.0.0:3000) [app]')).toBe('puma')
    expect(programOfName('sidekiq 6.4.1 app [0 of 20 busy]')).toBe('sidekiq')
    expect(programOfName('psql')).toBeNull()
    expect(programOfName('tsq:web.1:4242')).toBeNull()
  })

  it('counts them apart in the attribution while they stay unattributed', () => {
    const a = attribute(['sidekiq 6.4.1 app [3 of 20 busy]', 'sidekiq 6.4.1 app [3 of 20 busy]', 'psql', 'tsq:web.1:1'], 'db')
    expect(a).toEqual({attributed: [{dyno: 'web.1', purpose: 'db', count: 1}], unattributed: 3, unnamedBy: {sidekiq: 2}})
  })
})
