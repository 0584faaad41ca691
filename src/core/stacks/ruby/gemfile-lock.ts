// Reads the locked versions of an app's gems from Gemfile.lock (puma, sidekiq, rails select the defaults of
// spec §9's table), and compares versions as RubyGems does. Tolerates anything else in the file. Pure.
import {unreadableInput} from './input.js'

export interface GemfileLock {
  /** Gem name → locked version (platform suffix removed: `nokogiri (1.16.0-x86_64-linux)` → 1.16.0). */
  gems: Map<string, string>
  unknown: string[]
}

/** The gems of every `specs:` section (GEM, PATH, GIT). Never throws. */
export function parseGemfileLock(text: string, file = 'Gemfile.lock'): GemfileLock {
  const gems = new Map<string, string>()
  const bad = unreadableInput(text, file)
  if (bad) return {gems, unknown: [bad]}
  let inSpecs = false
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) { inSpecs = false; continue } // GEM, PATH, GIT, PLATFORMS, DEPENDENCIES, …
    if (/^ {2}specs:\s*$/.test(line)) { inSpecs = true; continue }
    if (!inSpecs) continue
    // Exactly four spaces: a locked gem; six are its own dependencies.
    const m = /^ {4}([A-Za-z0-9_.-]+) \(([^)\s]+)\)\s*$/.exec(line)
    if (m && !gems.has(m[1]!)) gems.set(m[1]!, m[2]!.split('-')[0]!)
  }
  return {gems, unknown: []}
}

/** Whether gem version `version` is at least `min` (`7.1.0.beta1` < `7.1.0` < `7.1.1`); false for garbage. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = segments(version)
  const b = segments(min)
  if (!a || !b) return false
  return compareSegments(a, b) >= 0
}

function segments(version: string): Array<number | string> | null {
  const v = version.trim()
  if (!/^[0-9]+(?:\.[0-9A-Za-z]+)*$/.test(v) || v.length > 64) return null
  const parts = v.match(/[0-9]+|[A-Za-z]+/g) ?? []
  const out = parts.map(p => /^\d+$/.test(p) ? parseInt(p, 10) : p)
  // Trailing zeros do not count (7.1 == 7.1.0), as in Gem::Version.
  while (out.length > 1 && out.at(-1) === 0) out.pop()
  return out
}

function compareSegments(a: Array<number | string>, b: Array<number | string>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    if (x === y) continue
    // A letter segment marks a prerelease, lower than any number.
    if (typeof x === 'string' && typeof y === 'number') return -1
    if (typeof x === 'number' && typeof y === 'string') return 1
    return x < y ? -1 : 1
  }
  return 0
}
