import {parseEnv} from 'node:util'
import {describe, expect, it} from 'vitest'
import {dotenvDisagreements, locateDotenv, parseDotenv, strayDotenvLines, winningAssignments} from '../../../../src/core/model/dotenv.js'
import {ISSUE_DOTENV, ODD_INPUTS} from './dotenv-fixtures.js'

describe('locateDotenv agrees with Node\'s util.parseEnv', () => {
  for (const [name, text] of Object.entries(ODD_INPUTS)) {
    it(`${name}: the keys it finds are parseEnv's, and each winning assignment read alone gives parseEnv's value`, () => {
      const assignments = locateDotenv(text)
      expect(dotenvDisagreements(text, assignments)).toEqual([])
      expect([...winningAssignments(assignments).keys()].sort()).toEqual(Object.keys(parseEnv(text)).sort())
      expect(parseDotenv(text)).toEqual({...parseEnv(text)})
    })
  }

  it('agrees on 3000 generated files mixing every odd form (a seeded generator, the same files each run)', () => {
    const parts = ['A=1', 'export A=2', 'B="x', 'B="x"', 'y"', 'C=\'p', 'q\'', 'D=`m', 'n`', '# c', '  # c=1', 'E=v # c',
      'F=', 'G="a\\nb"', 'junk', '=z', 'H = "s" t', '', '  ', 'A=3\r', 'I=#', '\uFEFFJ=1', 'K="\r', 'L=a\tb\t', 'export  M=1']
    let seed = 42
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const failures: string[] = []
    for (let n = 0; n < 3000; n++) {
      const lines = Array.from({length: 1 + Math.floor(next() * 8)}, () => parts[Math.floor(next() * parts.length)]!)
      const text = lines.join('\n') + (next() < 0.5 ? '\n' : '')
      const assignments = locateDotenv(text)
      const wrong = dotenvDisagreements(text, assignments)
      const keys = [...winningAssignments(assignments).keys()].sort()
      if (wrong.length > 0 || JSON.stringify(keys) !== JSON.stringify(Object.keys(parseEnv(text)).sort())) failures.push(JSON.stringify(text))
    }
    expect(failures).toEqual([])
  })

  it('places the issue\'s assignments: the winner is line 3, line 5 is inside CERT\'s quoted value, line 1 keeps its export', () => {
    const assignments = locateDotenv(ISSUE_DOTENV)
    expect(assignments.map(a => [a.key, a.firstLine, a.lastLine, a.exported, a.quote])).toEqual([
      ['TSQ_WORKER_CONCURRENCY', 1, 1, true, null],
      ['REDIS_URL', 2, 2, false, null],
      ['TSQ_WORKER_CONCURRENCY', 3, 3, false, null],
      ['CERT', 4, 6, false, '"'],
    ])
    const winner = winningAssignments(assignments).get('TSQ_WORKER_CONCURRENCY')!
    expect(ISSUE_DOTENV.slice(winner.valueStart, winner.valueEnd)).toBe('8')
    expect(parseDotenv(ISSUE_DOTENV).TSQ_WORKER_CONCURRENCY).toBe('8')
  })

  it('keeps a CRLF file\'s carriage returns outside every value span', () => {
    const text = 'A=1\r\nB=\r\nC="x"\r\n'
    expect(locateDotenv(text).map(a => JSON.stringify(text.slice(a.valueStart, a.valueEnd)))).toEqual(['"1"', '""', '"\\"x\\""'])
  })

  it('names the lines that are neither an assignment nor a comment, by number only', () => {
    expect(strayDotenvLines('A=1\njust text\n# ok\nB="x\ny"\n\n')).toEqual([2])
  })
})
