// How long to wait before sending a refused request again. Pure: the clock and the sleep live in client.ts.

export interface RetryPolicy {
  /** Retries after the first attempt. Default 3. */
  retries: number
  /** First backoff in ms, doubled on each retry. Default 300. */
  baseDelayMs: number
  /** Longest single wait in ms (Retry-After included). Default 3000. */
  maxDelayMs: number
  /** Longest total wait in ms over all retries of one request. Default 6000. */
  maxTotalDelayMs: number
  /** Jitter source in [0, 1). Default Math.random. */
  random: () => number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3, baseDelayMs: 300, maxDelayMs: 3000, maxTotalDelayMs: 6000, random: Math.random,
}

export interface RetryState {
  /** The attempt that just failed, 1-based. */
  attempt: number
  /** The response's Retry-After header, if any. */
  retryAfter: string | null
  /** What was already waited for this request. */
  waitedMs: number
  /** For an HTTP-date Retry-After. Default Date.now(). */
  now?: number
}

/**
 * The wait in ms before the next attempt, or null to give up: out of retries, or the wait would pass the total
 * budget (a Retry-After longer than the budget is not worth sitting through in a CLI).
 */
export function planRetryDelay(policy: Partial<RetryPolicy>, state: RetryState): number | null {
  const p = {...DEFAULT_RETRY_POLICY, ...stripUndefined(policy)}
  if (state.attempt > p.retries) return null
  const asked = parseRetryAfter(state.retryAfter, state.now ?? Date.now())
  let delay: number
  if (asked === null) {
    const backoff = p.baseDelayMs * 2 ** (state.attempt - 1)
    delay = Math.min(p.maxDelayMs, Math.round(backoff * (0.75 + p.random() * 0.5)))
  } else {
    if (asked > p.maxDelayMs) return null
    delay = asked
  }
  return state.waitedMs + delay > p.maxTotalDelayMs ? null : delay
}

/** Retry-After as ms: delta-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
