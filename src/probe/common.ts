// What both live probes share: the result shape, errors that name the server but never a secret, and a
// deadline so a server that never answers cannot stall the doctor.
import type {LiveMeasurement} from '../core/budget/budget.js'
import {Redactor, secretsOf} from '../core/model/redact.js'

/** A live measurement plus what the probe could not read and why (blocked commands, fallbacks). */
export interface ProbeMeasurement extends LiveMeasurement {
  notes: string[]
}

export interface ProbeOptions {
  /** Upper bound in ms for connecting and measuring together. Default 5000. */
  timeoutMs?: number
}

export const DEFAULT_TIMEOUT_MS = 5000

/** The name this process's probe connections carry, so the probe can be told apart from the app's connections. */
export function probeName(pid: number = process.pid): string {
  return `tsq:doctor:${pid}:probe`
}

/** `host:port` of a server URL, with the scheme's default port; null when the URL does not parse. */
export function targetOf(url: string, defaultPort: number): string | null {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname || 'localhost'}:${parsed.port || defaultPort}`
  } catch {
    return null
  }
}

/** A measurement that failed: no numbers, and an error that names the server and has every secret masked. */
export function failed(url: string, what: string, target: string | null, cause: unknown, notes: string[] = []): ProbeMeasurement {
  const reason = cause instanceof Error ? cause.message : String(cause)
  const where = target ? `${what} at ${target}` : what
  return {
    connections: null, limit: null, limitSource: null, attributed: [], unattributed: 0,
    error: scrub(url, `cannot measure ${where}: ${reason || 'unknown error'}`),
    notes: notes.map(n => scrub(url, n)),
  }
}

/** Masks the URL's password (raw and URL-encoded) and any URL userinfo in server or driver text. */
export function scrub(url: string, text: string): string {
  return new Redactor(secretsOf({URL: url})).text(text)
}

export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

/** Resolves as `work` does, or rejects with DeadlineError after `ms`; `onTimeout` then tears the work down. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout()
      reject(new DeadlineError(ms))
    }, ms)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}
