// What every benchmark writes for bench/run.js: rows of tsq against the alternative, and their ratio.
import {writeFileSync} from 'node:fs'

export interface Row {
  metric: string
  unit?: string
  tsq: number | string | null
  alternative: number | string | null
  /** tsq / alternative, for numbers. */
  ratio?: number | null
}

export interface BenchResult {
  title: string
  rows: Row[]
  notes?: string[]
  meta?: Record<string, unknown>
}

/** Writes the result where bench/run.js expects it (TSQ_BENCH_RESULT), else prints it. */
export function writeResult(result: BenchResult): void {
  const rows = result.rows.map(r => ({...r, ratio: r.ratio ?? (typeof r.tsq === 'number' && typeof r.alternative === 'number' && r.alternative !== 0
    ? r.tsq / r.alternative : null)}))
  const text = JSON.stringify({...result, rows}, null, 2)
  const file = process.env.TSQ_BENCH_RESULT
  if (file) writeFileSync(file, text)
  else console.log(text)
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Progress on stderr, so a long benchmark shows where it is. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`)
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits))
