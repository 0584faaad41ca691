// The §1 failure document, `{"error": {"message", "code", "suggestions"}}`, built from an error's message, code
// and suggestions only: an error object may hold anything (oclif's parse errors hold the command, its API
// client and token), so nothing else of it is ever copied.

import {printable} from '../core/model/printable.js'

export interface ErrorDocument {
  error: {message: string, code: string | null, suggestions: string[]}
}

/** Longest message of an error document; a longer one (a stack trace in a message) is cut. */
const MAX_MESSAGE = 4000

/** The document for any thrown value; `scrub` removes secrets from each string. */
export function errorDocument(err: unknown, scrub: (text: string) => string): ErrorDocument {
  const message = scrub(printable(messageOf(err), MAX_MESSAGE)).trim() || 'The command failed.'
  const rawCode = read(err, 'code')
  const code = typeof rawCode === 'string' && rawCode !== '' ? scrub(printable(rawCode, 100)) : parseErrorCode(err)
  const rawSuggestions = read(err, 'suggestions')
  const suggestions = Array.isArray(rawSuggestions)
    ? rawSuggestions.filter((s): s is string => typeof s === 'string').slice(0, 20).map(s => scrub(printable(s)))
    : []
  return {error: {message, code, suggestions}}
}

function messageOf(err: unknown): string {
  const message = read(err, 'message')
  if (typeof message === 'string') return message
  if (typeof err === 'string') return err
  return ''
}

/**
 * oclif's flag and argument errors carry no code: name them after their class (`NonExistentFlagsError` →
 * `non_existent_flags`), which oclif keeps stable across its major version.
 */
function parseErrorCode(err: unknown): string | null {
  if (read(err, 'parse') === undefined) return null
  const name = (err as object).constructor?.name ?? ''
  const base = name.replace(/Error$/, '')
  return base ? base.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() : 'invalid_input'
}

function read(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined
  try {
    return (value as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}
