// Asserts the §1 failure contract of a command run: exit 1, exactly one JSON document on stdout of the form
// {"error": {"message", "code", "suggestions"}}, the message on stderr, no crash text and no secret.
import {expect} from 'vitest'

import {SENTINEL_VALUES} from './scenarios.js'

export interface ErrorDocument {
  message: string
  code: string | null
  suggestions: string[]
}

export interface PrintedRun {
  stdout: string
  stderr: string
  exitCode: number
}

/** The run's error document, after checking every part of the contract. */
export function expectErrorDocument(run: PrintedRun): ErrorDocument {
  const context = `stdout: ${run.stdout}\nstderr: ${run.stderr}`
  expect(run.exitCode, context).toBe(1)
  let parsed: unknown
  expect(() => {
    parsed = JSON.parse(run.stdout)
  }, context).not.toThrow()
  expect(Object.keys(parsed as object), context).toEqual(['error'])
  const error = (parsed as {error: ErrorDocument}).error
  expect(Object.keys(error).sort(), context).toEqual(['code', 'message', 'suggestions'])
  expect(typeof error.message, context).toBe('string')
  expect(error.message.length, context).toBeGreaterThan(0)
  expect(error.code === null || typeof error.code === 'string', context).toBe(true)
  expect(Array.isArray(error.suggestions) && error.suggestions.every(s => typeof s === 'string'), context).toBe(true)
  expect(run.stderr, context).toContain(error.message)
  expect(run.stderr, context).not.toMatch(/RangeError|Maximum call stack|\n\s+at /)
  for (const secret of SENTINEL_VALUES) expect(run.stdout + run.stderr).not.toContain(secret)
  return error
}
