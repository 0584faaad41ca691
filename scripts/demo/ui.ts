// What the demo prints: sections, stage headers, checks that hold or not, tables, and the tsq commands'
// own output, trimmed to what the story needs. Plain text (no colour), one line per write.
import type {DoctorReport} from '../../src/core/checks/doctor.js'

export function say(text = ''): void {
  process.stdout.write(text + '\n')
}

const started = Date.now()

/** Time since the demo started, as the headers show it. */
export function elapsed(): string {
  return seconds(Date.now() - started)
}

/** `══ Node: … ══ 0.4 s`: one story. */
export function title(text: string): void {
  say()
  say(`══ ${text} ${'═'.repeat(Math.max(3, 100 - text.length))} ${elapsed()}`)
}

/** `── 2. What that costs ── 12.3 s`: one stage of a story. */
export function stageHeader(n: number, text: string): void {
  say()
  say(`── ${n}. ${text} ${'─'.repeat(Math.max(3, 96 - text.length))} ${elapsed()}`)
}

export function detail(text: string, indent = 3): void {
  for (const line of text.split('\n')) say(`${' '.repeat(indent)}${line}`)
}

/** A command as the user would type it (paths as they are). */
export function command(args: readonly string[]): void {
  say(`   $ ${args.map(a => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}`)
}

/** Aligned columns; the first row is the header. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>, indent = 3): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length)))
  for (const row of rows) say(`${' '.repeat(indent)}${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`)
}

/** The doctor's verdict: its failing checks with their fixes, or that none fails, and the demand per server. */
export function printDoctor(code: number, report: DoctorReport): void {
  const failing = report.checks.filter(c => c.status === 'fail')
  say(`   exit ${code}: ${failing.length === 0 ? 'no failing check' : `${failing.length} failing check${failing.length === 1 ? '' : 's'}`}`)
  for (const c of failing) {
    say(`   ✖ ${c.id}  ${c.message}`)
    if (c.fix) say(`       fix: ${c.fix}`)
  }
  for (const r of report.resources) {
    say(`   ${r.kind === 'postgres' ? 'Postgres' : 'Redis'}: ${r.demand} connections predicted ` +
      `(${r.rows.map(row => `${row.type} ${row.dynos}×${row.processesPerDyno}×${row.perProcess}`).join(' + ')}), ` +
      `${r.available ?? '?'} available (limit ${r.limit ?? '?'}, reserve ${r.reserve}): ${r.status}`)
  }
}

/**
 * tsq:setup's human output with each change's details cut to `keep` lines (a config file's diff is long):
 * the numbered changes, what it left alone and the budget after.
 */
export function printSetup(stdout: string, keep = 7): void {
  const lines = stdout.replace(/\s+$/, '').split('\n')
  let kept = 0
  let dropped = 0
  const flush = () => {
    if (dropped > 0) say(`        … ${dropped} more line${dropped === 1 ? '' : 's'}`)
    dropped = 0
  }
  for (const line of lines) {
    if (!/^\s/.test(line) || /^ {2}- /.test(line) || /^ {2}\w/.test(line)) {
      flush()
      kept = 0
      say(`   ${line}`)
      continue
    }
    if (kept < keep) {
      kept++
      say(`   ${line}`)
    } else {
      dropped++
    }
  }
  flush()
}

/** A check of the story: ✔ what held, or ✖ why not (recorded in `failures`). */
export function verdict(failures: string[], holds: boolean, ok: string, reason: string): boolean {
  if (holds) say(`   ✔ ${ok}`)
  else {
    say(`   ✖ ${reason}`)
    failures.push(reason)
  }
  return holds
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
