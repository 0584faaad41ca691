import {describe, expect, it} from 'vitest'
import {localFormation, parseDotenv, parseProcfile, renderProcfile} from '../../../src/core/procfile.js'

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
