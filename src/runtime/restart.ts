// When to restart a crashed cluster process: exponential backoff, capped, forgotten after a stable run.

export interface RestartPolicy {
  /** ms before the first restart after a crash. */
  initialDelayMs: number
  /** Cap on the delay, however often the process crashes. */
  maxDelayMs: number
  /** A process that ran this long (ms) before crashing counts as a first crash again. */
  stableAfterMs: number
}

export const RESTART_POLICY: RestartPolicy = {initialDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000}

/** The delay before restarting a process that ran `uptimeMs` and had `crashes` recent crashes before. */
export function planRestart(crashes: number, uptimeMs: number, policy: RestartPolicy = RESTART_POLICY): {delayMs: number, crashes: number} {
  const count = uptimeMs >= policy.stableAfterMs ? 1 : crashes + 1
  return {delayMs: Math.min(policy.initialDelayMs * 2 ** (count - 1), policy.maxDelayMs), crashes: count}
}
