// What each Platform API answer must look like before tsq reads it. An answer of another shape (a formation
// that is an object, a null list, config vars that are a list, an empty body) is an error naming the request
// and what was expected — never a crash deep in the core, and never an assessment built on it.

/** A named test of an answer's shape. */
export interface Shape<T> {
  /** What was expected, for messages: `a list of process types`. */
  expected: string
  test: (value: unknown) => value is T
}

import type {ApiDynoSize} from './api-types.js'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isString = (v: unknown): v is string => typeof v === 'string'

function object<T>(expected: string, test: (v: Record<string, unknown>) => boolean): Shape<T> {
  return {expected, test: (v): v is T => isRecord(v) && test(v)}
}

function listOf<T>(expected: string, item: (v: Record<string, unknown>) => boolean): Shape<T[]> {
  return {expected, test: (v): v is T[] => Array.isArray(v) && v.every(x => isRecord(x) && item(x))}
}

const named = (v: Record<string, unknown>) => isString(v.id) && isString(v.name)

export const SHAPES = {
  app: object('an app (an object with id and name)', named),
  addon: object('an add-on (an object with id and name)', named),
  addons: listOf('a list of add-ons (objects with id and name)', named),
  attachment: object('an add-on attachment (an object with id and name)', named),
  attachments: listOf('a list of add-on attachments (objects with id and name)', named),
  configVars: object('config vars (an object of strings)', v => Object.values(v).every(x => x === null || isString(x))),
  formation: listOf('a list of process types (objects with type and quantity)',
    v => isString(v.type) && (typeof v.quantity === 'number' || isString(v.quantity))),
  releases: listOf('a list of releases', () => true),
  // Empty, a size without a name or a memory that is not a positive number: nothing tsq could size a dyno from.
  dynoSizes: {
    expected: 'a list of dyno sizes (objects with a name and a memory in GB)',
    test: (v: unknown): v is ApiDynoSize[] => Array.isArray(v) && v.length > 0 && v.every(x => isRecord(x) && isString(x.name) && x.name !== '' &&
      typeof x.memory === 'number' && Number.isFinite(x.memory) && x.memory > 0),
  },
  database: object('a database description (an object)', () => true),
} as const

/** `value` in a few words, for "answered with …": `an object`, `null`, `an empty body`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined || value === '') return 'an empty body'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list of other things'
  if (typeof value === 'object') return 'an object of another shape'
  if (typeof value === 'string') return 'text'
  return `a ${typeof value}`
}
