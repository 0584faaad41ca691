import {describe, expect, it} from 'vitest'
import {localFormation, parseDotenv, parseProcfile, procfileWarnings, renderProcfile} from '../../../../src/core/model/procfile.js'

describe('parseProcfile', () => {
  it('reads types and commands, skipping blanks and comments', () => {
    const text = '# app\nweb: node server.js --port $PORT\n\nurgent-worker:  node worker.js\nrelease: node migrate.js\n'
    expect(parseProcfile(text)).toEqual([
      {type: 'web', command: 'node server.js --port $PORT'}, {type: 'urgent-worker', command: 'node worker.js'}, {type: 'release', command: 'node migrate.js'},
    ])
  })

  it('rejects a line that is not "<type>: <command>" and names its line number', () => {
    expect(() => parseProcfile('web: ok\nnot a process line\n')).toThrowError(/line 2/)
  })

  it('renders back what it parses', () => {
    const entries = [{type: 'web', command: 'npm start'}, {type: 'worker', command: 'npm run worker'}]
    expect(parseProcfile(renderProcfile(entries))).toEqual(entries)
  })
})

describe('local formation and .env', () => {
  it('assumes one dyno per Procfile type, keeps each command and leaves out the release phase', () => {
    expect(localFormation(parseProcfile('web: a\nworker: b\nrelease: c\n'))).toEqual([
      {type: 'web', quantity: 1, size: '', command: 'a'}, {type: 'worker', quantity: 1, size: '', command: 'b'},
    ])
  })

  it('parses .env with quotes and comments', () => {
    expect(parseDotenv('# c\nA=1\nB="two words"\nC=\'x#y\'\n')).toEqual({A: '1', B: 'two words', C: 'x#y'})
  })
})

describe('a Procfile that defines a type twice (issue 16 item 9)', () => {
  const TWICE = '\uFEFFweb: node web.js\r\nworker: node old-worker.js\r\n# later\r\nworker: node worker.js\r\n'

  it('has one process type per name, the last definition winning as on Heroku (BOM and CRLF too)', () => {
    expect(parseProcfile(TWICE)).toEqual([{type: 'web', command: 'node web.js'}, {type: 'worker', command: 'node worker.js'}])
    expect(localFormation(parseProcfile(TWICE)).map(p => p.type)).toEqual(['web', 'worker'])
  })

  it('warns naming the duplicate line', () => {
    expect(procfileWarnings(TWICE)).toEqual(['Procfile line 4 defines worker again (first on line 2): the last definition wins, as on Heroku'])
    expect(procfileWarnings('web: a\nworker: b\n')).toEqual([])
  })
})
