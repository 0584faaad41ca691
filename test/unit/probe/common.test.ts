import {describe, expect, it} from 'vitest'
import {DeadlineError, failed, probeName, targetOf, withDeadline} from '../../../src/probe/common.js'

const SENTINEL = 'sentinel-pw-0a7e31'

describe('failed', () => {
  it('names the server and masks the URL password even when the cause quotes the whole URL', () => {
    const url = `rediss://h:${SENTINEL}@ec2-1-2-3-4.compute-1.amazonaws.com:12345`
    const m = failed(url, 'Redis', targetOf(url, 6379), new Error(`cannot reach ${url} (password ${SENTINEL})`), [`note ${SENTINEL}`])
    expect(m).toMatchObject({connections: null, limit: null, limitSource: null, attributed: [], unattributed: 0})
    expect(m.error).toMatch(/^cannot measure Redis at ec2-1-2-3-4\.compute-1\.amazonaws\.com:12345: cannot reach rediss:\/\/h:\*+@/)
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('masks a URL-encoded password too', () => {
    const password = `${SENTINEL}/+=`
    const url = `postgres://app:${encodeURIComponent(password)}@db.example:5432/d`
    const m = failed(url, 'Postgres', targetOf(url, 5432), `auth failed for ${password} / ${encodeURIComponent(password)}`)
    expect(m.error).not.toContain(SENTINEL)
  })
})

describe('targetOf', () => {
  it('uses the default port when the URL has none', () => {
    expect(targetOf('redis://127.0.0.1', 6379)).toBe('127.0.0.1:6379')
  })

  it('returns null for a URL that does not parse', () => {
    expect(targetOf('redis://:pw@host:port', 6379)).toBeNull()
  })
})

describe('probeName', () => {
  it('is a tsq name with dyno "doctor" and purpose "probe"', () => {
    expect(probeName(4242)).toBe('tsq:doctor:4242:probe')
  })
})

describe('withDeadline', () => {
  it('rejects with DeadlineError and calls onTimeout when the work never settles', async () => {
    let tornDown = false
    await expect(withDeadline(new Promise(() => {}), 10, () => {
      tornDown = true
    })).rejects.toBeInstanceOf(DeadlineError)
    expect(tornDown).toBe(true)
  })

  it('resolves with the work\'s value and does not call onTimeout', async () => {
    let tornDown = false
    expect(await withDeadline(Promise.resolve(7), 1000, () => {
      tornDown = true
    })).toBe(7)
    expect(tornDown).toBe(false)
  })
})
